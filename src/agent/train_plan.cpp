#include "agent/train_plan.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace mh::agent {

std::vector<TrainPhase> TrainPlan::phases() const {
  std::vector<TrainPhase> out;
  if (finish_target >= 0) out.push_back({&finish_ids, finish_target});
  out.push_back({&ids, target});
  return out;
}

void check_train_options(const TrainOptions& options) {
  if (options.resume && options.continue_training) {
    throw SettingsError("train: resume and continue_training exclude each other (resume finishes the saved run, "
                        "continue_training trains more epochs after it)");
  }
  if (options.epochs > 100000) {
    throw SettingsError(fmt::format("train: epochs = {} is not allowed: the range is [0, 100000]", options.epochs));
  }
}

TrainPlan plan_continuation(const TrainOptions& options, int64_t epochs_done, bool interrupted, int settings_epochs,
                            const std::vector<int64_t>& chosen, bool explicit_set,
                            const std::optional<std::vector<int64_t>>& recorded) {
  TrainPlan plan;
  if (options.resume) {
    // The run goes on as if never stopped: on the set it was started with unless told otherwise.
    plan.ids = explicit_set || !recorded ? chosen : *recorded;
    if (options.epochs >= 0) plan.target = epochs_done + options.epochs;
    return plan;
  }
  const int64_t more = options.epochs >= 0 ? options.epochs : settings_epochs;
  plan.ids = chosen;
  if (interrupted) {
    plan.finish_ids = recorded ? *recorded : chosen;
    plan.finish_target = epochs_done + 1;
    plan.target = epochs_done + 1 + more;
  } else {
    plan.target = epochs_done + more;
  }
  return plan;
}

void check_training_set(const std::filesystem::path& dir, const std::vector<int64_t>& chosen, bool from_option,
                        int64_t dataset_size, const TrainSetNames& names) {
  if (chosen.empty()) {
    throw DatasetError(fmt::format("{}: {}: {}", dir.string(), names.none,
                                   from_option ? fmt::format("{} is empty", names.option) : "ingest some audio first"));
  }
  for (const auto id : chosen) {
    if (id < 0 || id >= dataset_size) {
      throw DatasetError(fmt::format("{}: training {} {} is out of range: the dataset holds {} {}", dir.string(),
                                     names.item, id, dataset_size, names.items));
    }
  }
}

void EpochSaver::save(const std::string& history_line, const std::string& checkpoint) {
  if (!writes_) return;
  write_file_atomic(files_.checkpoint, checkpoint);
  if (fresh_) {
    write_file_atomic(files_.history, history_line + "\n");
    fresh_ = false;
  } else {
    append_line_durable(files_.history, history_line);
  }
}

}  // namespace mh::agent
