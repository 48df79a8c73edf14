#pragma once
/// Does an agent listen? It imitates recordings (σ = 0) and its answers are compared with what
/// it heard (dsp/listening.hpp), next to the voice path alone (the heard mel rendered without
/// the model), which is the ceiling.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "dsp/listening.hpp"

namespace mh::agent {

struct HeardRecording {
  std::string name;
  torch::Tensor audio;  ///< mono [samples] at the agent's sample rate
};

/// ML1's eval-mode reconstruction MSE of heard snippets (normalised units) next to two trivial
/// predictors: the agent's mean training snippet, and each snippet's own time-averaged spectrum.
struct ReconstructionFigures {
  double model = 0, mean_snippet = 0, time_flat = 0;
  int64_t snippets = 0;
  nlohmann::json to_json() const;
};

struct RecordingListening {
  std::string name;
  dsp::ListeningFigures answer, voice_only;
  ReconstructionFigures reconstruction;
};

struct ListeningReport {
  std::vector<RecordingListening> recordings;
  dsp::ListeningFigures answer, voice_only;  ///< over every snippet of every recording
  ReconstructionFigures reconstruction;
  nlohmann::json to_json() const;
};

/// The agent's answer to each recording next to the voice path alone; ratios compare with the
/// answers to the other recordings (other snippets of the same one when there is one only).
/// Same seed ⇒ same figures. Throws what Agent::encode and Voice throw.
ListeningReport evaluate_listening(Agent& agent, const std::vector<HeardRecording>& heard, uint64_t seed);

}  // namespace mh::agent
