#pragma once
/// An imitation chain: two agents imitate each other in turn (σ = 0), starting from a recording,
/// and the notes of the recording that each pass keeps are measured (dsp/notes.hpp,
/// docs/notes.md). Pass 1: A imitates the excerpt; pass 2: B imitates pass 1; pass 3: A imitates
/// pass 2; and so on. The curve of pitch agreement shows how fast the notes are lost.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "dsp/listening.hpp"
#include "dsp/notes.hpp"

namespace mh::agent {

struct ChainSettings {
  int passes = 6;          ///< [1, 1000]
  double seconds = 0;      ///< > 0: only the excerpt's first this many seconds; 0: all of it
  std::uint64_t seed = 0;  ///< pass p's voice draws from a generator seeded mix_seed(seed, p)

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// One pass of the chain.
struct ChainPass {
  int pass = 0;             ///< 1 for A's imitation of the excerpt
  std::string singer;       ///< the singing agent's name
  std::uint64_t seed = 0;   ///< its generator's seed
  torch::Tensor audio;      ///< mono [samples] float32 at sample_rate_hz
  torch::Tensor latents;    ///< [n, D] the latent path it sang
  int sample_rate_hz = 0;   ///< the singer's rate
  dsp::NoteFigures original;  ///< the notes kept of the excerpt
  dsp::NoteFigures previous;  ///< the notes kept of what it heard (pass 1: the excerpt)
  std::optional<dsp::ListeningFigures> listening;  ///< mel figures against what it heard
  /// Everything but the audio and latents.
  nlohmann::json to_json() const;
};

struct ChainResult {
  std::vector<ChainPass> passes;
  /// The first pass whose pitch agreement with the excerpt is at most half of pass 1's; none
  /// when no pass falls that far, or pass 1's agreement is NaN or 0.
  std::optional<int> half_pass() const;
  nlohmann::json to_json() const;
};

/// Called after each pass, before the next is sung.
using ChainProgress = std::function<void(const ChainPass&)>;

/// Runs the chain on `excerpt` (mono [samples] float at excerpt_rate_hz). `a` and `b` may be the
/// same agent; each hears the previous pass resampled to its own rate. Same seed ⇒ same passes.
/// Throws SettingsError for invalid settings, InputError when the excerpt is empty, and what
/// Agent::encode and the voice throw.
ChainResult imitation_chain(const Agent& a, const Agent& b, const torch::Tensor& excerpt, int excerpt_rate_hz,
                            const ChainSettings& settings, const ChainProgress& on_pass = {});

}  // namespace mh::agent
