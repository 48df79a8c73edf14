#pragma once
/// The epoch loop both trainers share: Adam over the whole training set, reshuffled every epoch
/// with a seeded generator; stoppable between batches and resumable to the same weights as an
/// uninterrupted run; data-parallel through a GradientSync; a record per finished epoch in the
/// history. What differs between the models comes from an EpochTask.
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "model/gradient_sync.hpp"
#include "model/training_state.hpp"

namespace mh::model {

struct TrainResult {
  bool stopped = false;  ///< the stop flag ended training early; save checkpoint() now
  int64_t epochs_done = 0;
  bool out_of_time = false;  ///< the deadline ended training after a whole step (state saved)
};

/// One batch's losses, before backward. stop is undefined for a loss without a stop term.
struct BatchLoss {
  torch::Tensor total, reconstruction, kl, stop;
};

/// After each batch; loss is the batch's total, reconstruction its reconstruction term.
struct BatchProgress {
  int64_t epoch = 0;  ///< 1-based, the epoch in progress
  int64_t batch = 0;  ///< 1-based, batches done in this epoch
  int64_t n_batches = 0;
  double loss = 0, reconstruction = 0;
};

/// The loop's own report: items_per_s counts this epoch so far. Each trainer passes it on
/// with the rate named for its items.
struct EpochProgress : BatchProgress {
  double items_per_s = 0;
};

/// What a model brings to the loop.
template <class Record>
class EpochTask {
 public:
  virtual ~EpochTask() = default;
  /// The trained network and its optimizer (gradient sync, zero_grad).
  virtual torch::nn::Module& module() = 0;
  virtual torch::optim::Optimizer& optimizer() = 0;
  /// Forward pass over training items `items`, batch `batch` (0-based) of the epoch.
  virtual BatchLoss loss(const std::vector<int64_t>& items, int64_t batch) = 0;
  /// One optimizer step, after the gradients were combined.
  virtual void step() = 0;
  /// After an epoch's last step: statistics that follow the weights (BatchNorm, a latent prior).
  virtual void end_epoch() = 0;
  /// Fills the record's validation figures.
  virtual void validate(Record& record) = 0;
  /// When the stop flag interrupted an epoch, before the state is saved.
  virtual void on_stop() {}
};

/// When a deadline is looked at: before every step but an epoch's first in this call (the
/// epoch then ends there, recorded), or before every epoch but the first of this call.
enum class DeadlineCheck { kBeforeStep, kBeforeEpoch };

template <class Record>
struct EpochLoop {
  int64_t batch_size = 1;
  /// Optional, one 0 or 1 per training index (epoch_order.hpp).
  std::vector<std::uint8_t> strata;
  GradientSync* sync = nullptr;
  std::optional<SteadyClock::time_point> deadline;
  DeadlineCheck deadline_check = DeadlineCheck::kBeforeStep;
  std::function<void(const EpochProgress&)> progress;
  /// After every finished epoch, once the record is in the history.
  std::function<void(const Record&)> epoch_end;
};

/// What a trainer's caller gives train(). `Progress` is a BatchProgress with the items' rate.
template <class Record, class Progress>
struct EpochCallbacks {
  std::function<void(const Progress&)> progress;
  /// After every finished epoch, with the checkpoint bytes of the state at that point.
  std::function<void(const Record&, const std::string& checkpoint)> epoch_end;
  /// Data-parallel training (see distributed.hpp): trains on this rank's part of every global
  /// batch and combines gradients after backward. Null: one process. Records and progress then
  /// describe this rank's part only.
  GradientSync* sync = nullptr;
  /// Optional, one per training index: 0 or 1. Each batch then holds the two strata in the
  /// proportion of the whole set (within one item, epoch_order.hpp): a dream's `mix` policy
  /// keeps its human share in every batch.
  std::vector<std::uint8_t> strata;
  /// Optional: once one batch was trained in this call, training stops at the first deadline
  /// check past this time (TrainResult::out_of_time; the trainer says when it checks).
  std::optional<SteadyClock::time_point> deadline;
};

/// ML1's progress: loss is the batch's total (weight · MSE + KL), reconstruction its MSE.
struct TrainProgress : BatchProgress {
  double snippets_per_s = 0;  ///< this epoch so far
};

/// ML2's progress: loss and reconstruction as ml2_loss.hpp computes them.
struct Ml2TrainProgress : BatchProgress {
  double orders_per_s = 0;  ///< this epoch so far
};

/// ML1 looks at the deadline before every step but the first of this call: the epoch in
/// progress then ends there (validated, saved, recorded) and training stops.
using TrainerCallbacks = EpochCallbacks<EpochRecord, TrainProgress>;
/// ML2 weights each rank's gradient by its song count, which matches one process exactly when
/// the songs of a batch have equal lengths, and looks at the deadline before every epoch but
/// the first of this call.
using Ml2TrainerCallbacks = EpochCallbacks<Ml2EpochRecord, Ml2TrainProgress>;

/// A loop that reports to `callbacks`, each epoch's end with the bytes `checkpoint()` gives.
template <class Record, class Progress, class Checkpoint>
EpochLoop<Record> reporting_loop(const EpochCallbacks<Record, Progress>& callbacks, int64_t batch_size,
                                 DeadlineCheck deadline_check, Checkpoint checkpoint) {
  EpochLoop<Record> loop;
  loop.batch_size = batch_size;
  loop.strata = callbacks.strata;
  loop.sync = callbacks.sync;
  loop.deadline = callbacks.deadline;
  loop.deadline_check = deadline_check;
  if (callbacks.progress) {
    loop.progress = [&callbacks](const EpochProgress& p) { callbacks.progress(Progress{p, p.items_per_s}); };
  }
  if (callbacks.epoch_end) {
    loop.epoch_end = [&callbacks, checkpoint](const Record& r) { callbacks.epoch_end(r, checkpoint()); };
  }
  return loop;
}

/// Throws DatasetError when an interrupted epoch is resumed on a training set of another size
/// (`items` names them in the message).
void check_resumable(const TrainingPosition& state, size_t train_size, const char* items);

/// Trains until `epochs` epochs are done, `*stop` becomes true (checked between batches) or the
/// deadline passes. `shuffle` is the trainer's shuffle generator. Throws what the task throws.
template <class Record>
TrainResult run_epochs(EpochTask<Record>& task, TrainingState<Record>& state, torch::Generator& shuffle,
                       const std::vector<int64_t>& train_indices, int64_t epochs, const EpochLoop<Record>& loop,
                       const std::atomic<bool>* stop);

}  // namespace mh::model
