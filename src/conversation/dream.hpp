#pragma once
/// An agent's dream: retrain ML1 on what its policy selects, recompute its song orders and
/// retrain ML2. Redoing a dream from its snapshot gives the same weights, so a dream cut short
/// by a kill is simply done again on resume.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "conversation/conversation_settings.hpp"

namespace mh::agent {
class Agent;
struct TrainOutcome;
}

namespace mh::conversation {

struct DreamPlan {
  std::vector<int64_t> items;  ///< ML1 training items (repeats allowed), in dataset order
  double human_share = 0;      ///< share of `items` with lineage depth 0 (update-weighted h_t)
  int ml1_epochs = 0, ml2_epochs = 0;
  std::uint64_t seed = 0;
};

/// The items a dream trains on. `first_new_song`: the first dataset song added since the last
/// dream (the replace policy trains on those only; it falls back to accumulate when there are
/// none). Throws DatasetError when nothing is left to train on.
DreamPlan plan_dream(const agent::Agent& agent, const RoleSettings& role, int64_t first_new_song,
                     std::uint64_t seed);

struct DreamCallbacks {
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const char* stage, int64_t epoch, double loss)> progress;
  /// After ML1's training, with its outcome (eval-mode validation MSE and its baselines).
  std::function<void(const agent::TrainOutcome&)> ml1_trained;
};

/// Restores ML1 from `snapshot` (made by the first call for this dream from the agent's current
/// ML1), trains it for plan.ml1_epochs more epochs on plan.items, then trains a fresh ML2 on the
/// new orders. Returns false when stopped (the agent then holds a half-done dream that the next
/// call redoes). Throws what Agent's training throws.
bool run_dream(agent::Agent& agent, const DreamPlan& plan, const std::filesystem::path& snapshot,
               const DreamCallbacks& callbacks);

}  // namespace mh::conversation
