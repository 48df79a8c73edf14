#pragma once
/// What the ML1 and ML2 trainers hold alike around the epoch loop (epoch_runner.hpp): Adam, the
/// device, the shuffle and sampling generators and the training state, how a resumed trainer
/// takes them over from its checkpoint, and the task base through which the loop sees the
/// trainer and its training and validation items.
#include <torch/torch.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "model/checkpoint_framing.hpp"
#include "model/cpu_generator.hpp"
#include "model/epoch_runner.hpp"
#include "model/training_state.hpp"

namespace mh::model {

template <class Record>
class TrainerCore {
 public:
  const std::vector<Record>& history() const { return state_.history; }
  int64_t epochs_done() const { return state_.epochs_done; }
  /// True when the state stopped inside an epoch (the next train() finishes it first).
  bool interrupted() const { return state_.batch_in_epoch > 0; }

 protected:
  // Fixed offsets keep the streams independent of each other and of the initialisation seed.
  TrainerCore(uint64_t seed, torch::Device device)
      : device_(device), shuffle_gen_(cpu_generator(seed + 2)), sample_gen_(cpu_generator(seed + 1)) {}

  /// A resumed trainer's state and generator states from its checkpoint. Throws CheckpointError
  /// for an inference export (no optimizer state) or a bad generator state.
  void adopt(const TrainingState<Record>& state, bool had_optimizer_state, const std::string& name) {
    require_optimizer_state(had_optimizer_state, name);
    state_ = state;
    state_.restore_generators(shuffle_gen_, sample_gen_, name);
  }

  /// The state as a checkpoint stores it: with the generators' current states.
  TrainingState<Record> snapshot() const {
    auto s = state_;
    s.shuffle_rng = shuffle_gen_.get_state();
    s.sample_rng = sample_gen_.get_state();
    return s;
  }

  /// Trains `task` until `epochs` epochs are done, reporting to `callbacks` with the bytes
  /// `checkpoint()` gives at every epoch end.
  template <class Progress, class Checkpoint>
  TrainResult run(EpochTask<Record>& task, const std::vector<int64_t>& train_indices, int64_t batch_size,
                  int64_t epochs, DeadlineCheck deadline_check, const EpochCallbacks<Record, Progress>& callbacks,
                  const std::atomic<bool>* stop, Checkpoint checkpoint) {
    const auto loop = reporting_loop(callbacks, batch_size, deadline_check, checkpoint);
    return run_epochs(task, state_, shuffle_gen_, train_indices, epochs, loop, stop);
  }

  template <class, class, class>
  friend class TrainerTask;

  std::shared_ptr<torch::optim::Adam> optimizer_;
  torch::Device device_;
  torch::Generator shuffle_gen_, sample_gen_;
  TrainingState<Record> state_;  // position and history; generator states are kept in the generators
};

/// The loop's view of trainer `t_` training on `data_`: the items it trains on and those it
/// validates on (references: they outlive the train() call the task is made in).
template <class Record, class Trainer, class Data>
class TrainerTask : public EpochTask<Record> {
 public:
  TrainerTask(Trainer& trainer, const Data& data, const std::vector<int64_t>& train_indices,
              const std::vector<int64_t>& val_indices)
      : t_(trainer), data_(data), train_(train_indices), val_(val_indices) {}

  torch::optim::Optimizer& optimizer() override { return *t_.optimizer_; }

 protected:
  Trainer& t_;
  const Data& data_;
  const std::vector<int64_t>& train_;
  const std::vector<int64_t>& val_;
};

}  // namespace mh::model
