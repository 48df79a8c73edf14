#pragma once
/// The measures of docs/measures.md for one agent after one dream: how human its data still is
/// and how far its recent songs have moved from the human reference, judged by its frozen
/// first ML1.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mh::agent {
class Agent;
}

namespace mh::conversation {

class Judge;

struct GenerationInput {
  torch::Tensor mel;                          ///< generation t: normalised mel snippets the agent sang, [n, mels, frames]
  /// Listening figures (dsp::ListeningFigures::to_json) of its songs since the last dream, by
  /// kind: "human", "imitation", "variation".
  std::map<std::string, std::vector<nlohmann::json>> listening;
  double update_human_share = 0;              ///< share of depth-0 items the dream trained on
  std::optional<torch::Tensor> previous_mean; ///< judge-space mean of generation t−1 [D] float64
  std::optional<double> first_frechet;        ///< FD of the first dream, for the ratio
  std::optional<double> first_frechet_k;      ///< FD in the judge's drift projection of the first dream
  std::uint64_t seed = 0;                     ///< subsampling to |H| and the bootstrap
};

struct GenerationMeasures {
  nlohmann::json values;     ///< the line of measures.jsonl (without agent/dream/round)
  torch::Tensor mean;        ///< judge-space mean of this generation [D] float64 (undefined if empty)
};

/// Resamples behind each bootstrap interval, and the interval's level.
inline constexpr int kBootstrapResamples = 200;
inline constexpr double kBootstrapLevel = 0.9;

/// Computes the measures. The agent's current ML1 gives the forgetting ratio.
GenerationMeasures measure_generation(const agent::Agent& agent, const Judge& judge, const GenerationInput& input);

/// Normalised mel (the [0, 1] map of [−100, 100] dB) → linear power.
torch::Tensor normalised_mel_to_power(const torch::Tensor& mel);

}  // namespace mh::conversation
