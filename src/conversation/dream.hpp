#pragma once
/// An agent's dream: retrain ML1 on what its policy selects, recompute its song orders and
/// train ML2 on the songs the same policy selects. Redoing a dream from its snapshots gives the
/// same weights (without a budget), so a dream cut short by a kill is simply done again on resume.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

#include "conversation/conversation_settings.hpp"

namespace mh::agent {
class Agent;
struct TrainOutcome;
}

namespace mh::conversation {

struct DreamPlan {
  std::vector<int64_t> items;  ///< ML1 training items (repeats allowed), in dataset order
  /// mix policy: 1 for the human items of `items`, so that every batch holds the share λ;
  /// empty for the other policies.
  std::vector<std::uint8_t> strata;
  double human_share = 0;      ///< share of `items` with lineage depth 0 (update-weighted h_t)
  std::vector<int64_t> songs;  ///< ML2 training songs (dataset ids, ascending), chosen as `items`
  int64_t songs_too_long = 0;  ///< chosen songs left out of `songs`: longer than ml2.max_length
  int ml1_epochs = 0, ml2_epochs = 0;
  int batch_size = 0;          ///< ML1's batch (> 0)
  double learning_rate = 0;    ///< ML1's learning rate (> 0)
  double budget_s = 0;         ///< > 0: wall-clock budget
  Ml2DreamStart ml2_start = Ml2DreamStart::kFineTune;
  double ml2_fresh_drift = 0.25;
  int ml2_fresh_epochs = 0;    ///< > 0: epochs of a fresh ML2 (else the agent's ml2.epochs)
  std::uint64_t seed = 0;
};

/// Machine songs a dream composes to measure ML2's motion (DreamReport::ml2_motion).
inline constexpr int kDreamMotionSongs = 4;

/// The items and songs a dream trains on. `first_new_song`: the first dataset song added since
/// the last dream (the replace policy trains on those only; it falls back to accumulate when
/// there are none). Throws DatasetError when nothing is left to train on.
DreamPlan plan_dream(const agent::Agent& agent, const RoleSettings& role, int64_t first_new_song,
                     std::uint64_t seed);

struct DreamCallbacks {
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const char* stage, int64_t epoch, double loss)> progress;
  /// After ML1's training, with its outcome (eval-mode validation MSE and its baselines).
  std::function<void(const agent::TrainOutcome&)> ml1_trained;
};

/// What a finished dream did, for its log line.
struct DreamReport {
  bool out_of_time = false;      ///< the budget ended ML1 (or ML2) early
  int64_t ml1_epochs_done = 0;   ///< epochs of this dream (the last one may be cut short)
  std::string ml2 = "none";      ///< "fine-tune", "fresh" or "none" (not retrained)
  double order_drift = 0;        ///< mean squared move of the song orders / their variance (NaN: unknown)
  double ml2_val = std::nan("");  ///< ML2's last validation figure (Ml2EpochRecord), NaN if none
  /// kDreamMotionSongs songs composed by the new ML2 against as many human songs
  /// (model::MotionComparison::to_json); null when ML2 was not retrained.
  nlohmann::json ml2_motion;
};

/// Restores ML1 (and ML2) from the snapshots in `snapshot_dir` named `stem` (made by the first
/// call for this dream), trains ML1 for plan.ml1_epochs more epochs on plan.items, then trains
/// ML2 on plan.songs as plan.ml2_start says: plan.ml2_epochs more from its weights, or afresh
/// for plan.ml2_fresh_epochs (0: the agent's ml2.epochs). Then it composes kDreamMotionSongs
/// songs (seeded by plan.seed) and measures their motion. Returns nullopt when stopped (the agent then holds a half-done dream that
/// the next call redoes). Throws what Agent's training throws.
std::optional<DreamReport> run_dream(agent::Agent& agent, const DreamPlan& plan,
                                     const std::filesystem::path& snapshot_dir, const std::string& stem,
                                     const DreamCallbacks& callbacks);

/// Mean squared difference of `after` from `before` over the songs both have, divided by the
/// variance of `before`'s steps (0 for identical orders; NaN when nothing is shared).
double order_drift(const std::vector<torch::Tensor>& before, const std::vector<torch::Tensor>& after);

}  // namespace mh::conversation
