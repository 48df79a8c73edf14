#pragma once
/// A training call of either model in the agent folder: which training set each part of the
/// call uses and the epoch target it trains to, the trainer it starts from (fresh or resumed),
/// and the files it saves after every epoch.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
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

/// What a model's training set is called in errors.
struct TrainSetNames {
  const char* none;    ///< the error for an empty set: "no training snippets"
  const char* option;  ///< the TrainOptions field that gives one: "train_items"
  const char* item;    ///< "item"
  const char* items;   ///< what the dataset holds of them: "snippets"
};

/// Throws DatasetError "<dir>: ..." when `chosen` (from the option when `from_option`, else from
/// the split) is empty or holds an id outside [0, dataset_size).
void check_training_set(const std::filesystem::path& dir, const std::vector<int64_t>& chosen, bool from_option,
                        int64_t dataset_size, const TrainSetNames& names);

/// `settings` with the options' epoch target and seed, for a fresh run.
template <class Settings>
Settings fresh_run_settings(Settings settings, const TrainOptions& options) {
  if (options.epochs >= 0) settings.epochs = options.epochs;
  if (options.seed >= 0) settings.seed = static_cast<std::uint64_t>(options.seed);
  return settings;
}

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

/// A training call's trainer and the plan it trains on.
template <class Trainer>
struct TrainStart {
  std::unique_ptr<Trainer> trainer;
  TrainPlan plan;
  bool from_checkpoint = false;  ///< resumed from the saved run (else a fresh run)
};

/// With resume or continue_training and a saved checkpoint: its trainer on `device`, passed to
/// `resumed` first, with the plan that continues the run (`settings_epochs`, `chosen`,
/// `explicit_set`: see plan_continuation). Otherwise `fresh()` with a plan of `chosen` alone.
/// Throws CheckpointError, DatasetError.
template <class Trainer, class Fresh, class Resumed>
TrainStart<Trainer> start_training(const TrainOptions& options, const RunFiles& files, torch::Device device,
                                   int settings_epochs, const std::vector<int64_t>& chosen, bool explicit_set,
                                   Fresh&& fresh, Resumed&& resumed) {
  TrainStart<Trainer> start;
  start.plan.ids = chosen;
  start.from_checkpoint = (options.resume || options.continue_training) && std::filesystem::exists(files.checkpoint);
  if (!start.from_checkpoint) {
    start.trainer = std::make_unique<Trainer>(fresh());
    return start;
  }
  const auto name = files.checkpoint.string();
  start.trainer = std::make_unique<Trainer>(Trainer::resume(read_file(files.checkpoint), device, name));
  resumed(*start.trainer);
  start.plan = plan_continuation(options, start.trainer->epochs_done(), start.trainer->interrupted(), settings_epochs,
                                 chosen, explicit_set, load_train_set(files.train_set));
  return start;
}

/// Trains `start` through its plan (run_plan) with callbacks that save the checkpoint and a
/// history line after every epoch on the writing rank, then pass the record to `epoch_end`.
/// `train(phase, callbacks)` trains one phase.
template <class Trainer, class Record, class Progress, class Train>
TrainOutcome train_and_save(TrainStart<Trainer>& start, const RunFiles& files, const TrainOptions& options,
                            const std::function<void(const Progress&)>& progress,
                            const std::function<void(const Record&)>& epoch_end, Train&& train) {
  const bool writes = options.sync == nullptr || options.sync->rank() == 0;
  EpochSaver saver(files, !start.from_checkpoint, writes);
  model::EpochCallbacks<Record, Progress> callbacks;
  callbacks.progress = progress;
  callbacks.sync = options.sync;
  callbacks.deadline = options.deadline;
  callbacks.epoch_end = [&](const Record& record, const std::string& checkpoint) {
    saver.save(record.to_json_line(), checkpoint);
    if (epoch_end) epoch_end(record);
  };
  return run_plan(start.plan, *start.trainer, files, writes,
                  [&](const TrainPhase& phase) { return train(phase, callbacks); });
}

}  // namespace mh::agent
