#pragma once
/// How a training call continues a saved run (shared by ML1 and ML2): which training set each
/// part of the call uses and the epoch target it trains to.
#include <cstdint>
#include <optional>
#include <vector>

#include "agent/agent.hpp"

namespace mh::agent {

/// One call of a trainer's train(): `ids` up to the epoch target (< 0: keep the trainer's).
struct TrainPhase {
  const std::vector<int64_t>* ids = nullptr;
  int64_t target = -1;
};

struct TrainPlan {
  std::vector<int64_t> ids;          ///< training set of the main phase
  std::vector<int64_t> finish_ids;   ///< set an interrupted epoch began with (when finish_target >= 0)
  int64_t finish_target = -1;        ///< >= 0: first finish the interrupted epoch
  int64_t target = -1;               ///< epoch target of the main phase, < 0: the trainer's

  /// The phases in order (pointers into this plan).
  std::vector<TrainPhase> phases() const;
};

/// Throws SettingsError when resume and continue_training are both set or epochs is beyond
/// 100000.
void check_train_options(const TrainOptions& options);

/// The plan for continuing a saved run that has `epochs_done` finished epochs (`interrupted`:
/// it stopped inside the next one). `chosen` is the set the caller asked for (`explicit_set`:
/// given in the options rather than the split), `recorded` the run's saved set.
TrainPlan plan_continuation(const TrainOptions& options, int64_t epochs_done, bool interrupted, int settings_epochs,
                            const std::vector<int64_t>& chosen, bool explicit_set,
                            const std::optional<std::vector<int64_t>>& recorded);

}  // namespace mh::agent
