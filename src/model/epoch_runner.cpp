#include "model/epoch_runner.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"
#include "model/epoch_order.hpp"

namespace mh::model {

namespace {

enum class EpochEnd { kDone, kOutOfTime, kStopped };

template <class Record>
Record train_figures(const TrainingState<Record>& state, double seconds) {
  Record record;
  record.epoch = state.epochs_done + 1;
  const double seen = static_cast<double>(std::max<int64_t>(state.seen, 1));
  record.train_total = state.sum_total / seen;
  record.train_reconstruction = state.sum_reconstruction / seen;
  record.train_kl = state.sum_kl / seen;
  record.seconds = seconds;
  const double rate = seconds > 0 ? static_cast<double>(state.seen) / seconds : 0.0;
  if constexpr (Record::kStopLoss) {
    record.train_stop = state.sum_stop / seen;
    record.orders_per_s = rate;
  } else {
    record.train_kl_max = state.max_kl;
    record.snippets_per_s = rate;
  }
  return record;
}

template <class Record>
EpochEnd run_epoch(EpochTask<Record>& task, TrainingState<Record>& state, torch::Generator& shuffle,
                   const std::vector<int64_t>& train_indices, const EpochLoop<Record>& loop,
                   const std::atomic<bool>* stop) {
  const auto start = SteadyClock::now();
  const int64_t n = static_cast<int64_t>(train_indices.size());
  const int64_t bs = loop.batch_size;
  const int64_t n_batches = (n + bs - 1) / bs;
  // An interrupted epoch regenerates its permutation from the state the generator had when
  // the epoch began, which also leaves the generator where an uninterrupted run has it.
  if (state.batch_in_epoch == 0) {
    state.epoch_shuffle_rng = shuffle.get_state();
    state.train_size = n;
  } else {
    shuffle.set_state(state.epoch_shuffle_rng);
  }
  const torch::Tensor perm = epoch_order(n, loop.strata, shuffle);
  const auto* order = perm.data_ptr<int64_t>();
  task.module().train();
  const int64_t first_batch = state.batch_in_epoch;
  const double seconds_before = state.seconds;
  const int64_t seen_before = state.seen;
  auto end = EpochEnd::kDone;
  for (int64_t b = state.batch_in_epoch; b < n_batches; ++b) {
    if (stop != nullptr && stop->load()) {
      state.batch_in_epoch = b;
      state.seconds = seconds_before + seconds_since(start);
      return EpochEnd::kStopped;
    }
    if (loop.deadline_check == DeadlineCheck::kBeforeStep && loop.deadline && b > first_batch &&
        SteadyClock::now() >= *loop.deadline) {
      end = EpochEnd::kOutOfTime;
      break;
    }
    int64_t first = b * bs, last = std::min(n, (b + 1) * bs);
    const int64_t global_items = last - first;
    if (loop.sync != nullptr) {
      const auto part = shard_range(global_items, loop.sync->rank(), loop.sync->world_size());
      last = first + part.second;
      first += part.first;
    }
    task.optimizer().zero_grad();
    if (first == last) {
      // A rank with no part of a short last batch still takes the step that the others take.
      loop.sync->after_backward(task.module(), 0, global_items);
      task.step();
      state.batch_in_epoch = b + 1;
      continue;
    }
    std::vector<int64_t> items;
    for (int64_t i = first; i < last; ++i) items.push_back(train_indices[static_cast<size_t>(order[i])]);
    const BatchLoss loss = task.loss(items, b);
    loss.total.backward();
    if (loop.sync != nullptr) loop.sync->after_backward(task.module(), last - first, global_items);
    task.step();
    const double count = static_cast<double>(items.size());
    const double total = loss.total.item<double>();
    const double recon = loss.reconstruction.item<double>();
    const double kl = loss.kl.item<double>();
    state.sum_total += total * count;
    state.sum_reconstruction += recon * count;
    state.sum_kl += kl * count;
    state.max_kl = std::max(state.max_kl, kl);
    if (loss.stop.defined()) state.sum_stop += loss.stop.item<double>() * count;
    state.seen += static_cast<int64_t>(items.size());
    state.batch_in_epoch = b + 1;
    if (loop.progress) {
      const double s = seconds_since(start);
      const double rate = s > 0 ? static_cast<double>(state.seen - seen_before) / s : 0.0;
      loop.progress({{state.epochs_done + 1, b + 1, n_batches, total, recon}, rate});
    }
  }
  auto record = train_figures(state, seconds_before + seconds_since(start));
  task.end_epoch();
  task.validate(record);
  state.history.push_back(record);
  state.epochs_done += 1;
  state.start_epoch();
  if (loop.epoch_end) loop.epoch_end(record);
  return end;
}

}  // namespace

void check_resumable(const TrainingPosition& state, size_t train_size, const char* items) {
  if (state.batch_in_epoch > 0 && state.train_size != static_cast<int64_t>(train_size)) {
    throw DatasetError(fmt::format("the interrupted epoch had {} training {}, now there are {}", state.train_size,
                                   items, train_size));
  }
}

template <class Record>
TrainResult run_epochs(EpochTask<Record>& task, TrainingState<Record>& state, torch::Generator& shuffle,
                       const std::vector<int64_t>& train_indices, int64_t epochs, const EpochLoop<Record>& loop,
                       const std::atomic<bool>* stop) {
  if (loop.sync != nullptr) loop.sync->broadcast_parameters(task.module());
  bool trained = false;
  while (state.epochs_done < epochs) {
    if (loop.deadline_check == DeadlineCheck::kBeforeEpoch && trained && loop.deadline &&
        SteadyClock::now() >= *loop.deadline) {
      return {false, state.epochs_done, true};
    }
    switch (run_epoch(task, state, shuffle, train_indices, loop, stop)) {
      case EpochEnd::kStopped:
        task.on_stop();
        return {true, state.epochs_done, false};
      case EpochEnd::kOutOfTime:
        return {false, state.epochs_done, true};
      case EpochEnd::kDone:
        break;
    }
    trained = true;
  }
  return {false, state.epochs_done, false};
}

template TrainResult run_epochs(EpochTask<EpochRecord>&, TrainingState<EpochRecord>&, torch::Generator&,
                                const std::vector<int64_t>&, int64_t, const EpochLoop<EpochRecord>&,
                                const std::atomic<bool>*);
template TrainResult run_epochs(EpochTask<Ml2EpochRecord>&, TrainingState<Ml2EpochRecord>&, torch::Generator&,
                                const std::vector<int64_t>&, int64_t, const EpochLoop<Ml2EpochRecord>&,
                                const std::atomic<bool>*);

}  // namespace mh::model
