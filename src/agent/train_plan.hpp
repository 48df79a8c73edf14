#pragma once
/// How a training call continues a saved run (shared by ML1 and ML2): which training set each
/// part of the call uses and the epoch target it trains to.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "agent/train_set.hpp"
#include "core/files.hpp"

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

/// The files of one model's run in the agent folder.
struct RunFiles {
  std::filesystem::path checkpoint, history, train_set;
};

/// Saves a run after each finished epoch, on the writing rank only: the checkpoint, then the
/// history line. A fresh run starts a new history, replacing the old one once its first epoch
/// is saved.
class EpochSaver {
 public:
  EpochSaver(RunFiles files, bool fresh, bool writes) : files_(std::move(files)), fresh_(fresh), writes_(writes) {}
  void save(const std::string& history_line, const std::string& checkpoint);

 private:
  RunFiles files_;
  bool fresh_, writes_;
};

/// Runs the plan's phases on `trainer` (an Ml1Trainer or Ml2Trainer): each phase records its
/// training set (when `writes`) and trains with `train(phase)`; a stopped run is saved. The
/// outcome's validation figures are left to the caller.
template <class Trainer, class Train>
TrainOutcome run_plan(const TrainPlan& plan, Trainer& trainer, const RunFiles& files, bool writes, Train&& train) {
  const int64_t epochs_before = trainer.epochs_done();
  model::TrainResult result;
  for (const auto& phase : plan.phases()) {
    if (phase.target >= 0) trainer.set_epochs(static_cast<int>(phase.target));
    if (writes) save_train_set(files.train_set, *phase.ids);
    result = train(phase);
    if (result.stopped || result.out_of_time) break;
  }
  if (result.stopped && writes) write_file_atomic(files.checkpoint, trainer.checkpoint());
  return {result.stopped, result.out_of_time, trainer.epochs_done(), trainer.epochs_done() - epochs_before};
}

}  // namespace mh::agent
