#include "model/ml2_trainer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "model/cpu_generator.hpp"
#include "model/ml2_loss.hpp"

namespace mh::model {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Ml2Trainer::Ml2Trainer(Ml2Settings settings, int64_t input_dim, torch::Device device)
    : Ml2Trainer(Ml2(settings, input_dim, device), nullptr, device) {}

Ml2Trainer::Ml2Trainer(Ml2 model, std::shared_ptr<torch::optim::Adam> optimizer, torch::Device device)
    : model_(std::move(model)),
      device_(device),
      shuffle_gen_(cpu_generator(model_.settings().seed + 2)),
      sample_gen_(cpu_generator(model_.settings().seed + 1)) {
  model_.net().to(device_);
  // Adam keys its state by parameter, so it is made after the model reached its device.
  optimizer_ = optimizer ? std::move(optimizer) : make_ml2_adam(model_.net(), model_.settings().learning_rate);
}

Ml2Trainer Ml2Trainer::resume(std::string_view checkpoint, torch::Device device, const std::string& name) {
  auto loaded = load_ml2_checkpoint(checkpoint, device, name);
  if (!loaded.had_optimizer_state) {
    throw CheckpointError(fmt::format("{}: holds no optimizer state, training cannot resume from it", name));
  }
  Ml2Trainer trainer(loaded.model, loaded.optimizer, device);
  trainer.state_ = loaded.state;
  try {
    if (loaded.state.shuffle_rng.defined()) trainer.shuffle_gen_.set_state(loaded.state.shuffle_rng);
    if (loaded.state.sample_rng.defined()) trainer.sample_gen_.set_state(loaded.state.sample_rng);
  } catch (const c10::Error& e) {
    throw CheckpointError(fmt::format("{}: bad generator state ({})", name, e.what_without_backtrace()));
  }
  return trainer;
}

Ml2TrainingState Ml2Trainer::snapshot() const {
  auto s = state_;
  s.shuffle_rng = shuffle_gen_.get_state();
  s.sample_rng = sample_gen_.get_state();
  return s;
}

std::string Ml2Trainer::checkpoint() const { return save_ml2_checkpoint(model_, optimizer_.get(), snapshot()); }

void Ml2Trainer::check_data(const SongOrders& data, const std::vector<int64_t>& indices) const {
  const auto& net = model_.net();
  if (data.size() > 0 && data.dim() != net.input_dim()) {
    throw DatasetError(fmt::format("song orders have {} coordinates per step, the ml2 model takes {}", data.dim(),
                                   net.input_dim()));
  }
  if (!model_.ml1_version().empty() && data.ml1_version != model_.ml1_version()) {
    throw DatasetError(fmt::format("song orders come from ML1 version '{}', the ml2 model was trained on '{}'",
                                   data.ml1_version, model_.ml1_version()));
  }
  for (const auto i : indices) {
    if (i < 0 || i >= data.size()) {
      throw DatasetError(fmt::format("song index {} is out of range: there are {} songs", i, data.size()));
    }
    const auto len = data.orders[static_cast<size_t>(i)].size(0);
    if (len > net.max_length()) {
      throw DatasetError(fmt::format("song '{}' has {} snippets, more than ml2.max_length = {}",
                                     data.song_ids[static_cast<size_t>(i)], len, net.max_length()));
    }
  }
}

std::vector<torch::Tensor> Ml2Trainer::gather(const SongOrders& data, const std::vector<int64_t>& indices,
                                              size_t start, size_t end, const int64_t* order) const {
  std::vector<torch::Tensor> out;
  out.reserve(end - start);
  for (size_t i = start; i < end; ++i) {
    const auto k = order ? indices[static_cast<size_t>(order[i])] : indices[i];
    out.push_back(data.orders[static_cast<size_t>(k)]);
  }
  return out;
}

Ml2Validation Ml2Trainer::validate(const SongOrders& data, const std::vector<int64_t>& indices) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (indices.empty()) return {nan, nan};
  data.validate();
  check_data(data, indices);
  auto& net = model_.net();
  const auto stats = net.stats();
  torch::NoGradGuard no_grad;
  double squared = 0, values = 0, length_error = 0;
  const size_t bs = static_cast<size_t>(settings().batch_size);
  for (size_t start = 0; start < indices.size(); start += bs) {
    const auto batch = net.make_batch(gather(data, indices, start, std::min(indices.size(), start + bs)));
    const auto mu = net.encode(batch);
    // Decode as far as any trained song goes so that the stop head, not the true length, ends
    // each song.
    const int64_t steps = std::min(net.max_length(), std::max(stats.max_length, batch.steps()));
    const auto dec = net.decode(mu, torch::full({batch.size()}, steps, torch::kInt64), steps);
    const auto frames = dec.frames.narrow(1, 0, batch.steps());
    squared += (batch.x - frames).index({batch.mask}).pow(2).sum().item<double>();
    values += static_cast<double>(batch.lengths.sum().item<int64_t>() * net.input_dim());
    const auto decoded = lengths_from_stop_logits(dec.stop_logits).clamp(stats.min_length, stats.max_length);
    length_error += (decoded - batch.lengths).abs().sum().item<int64_t>();
  }
  return {squared / values, length_error / static_cast<double>(indices.size())};
}

void Ml2Trainer::fit_latent_prior(const SongOrders& data, const std::vector<int64_t>& train_indices) {
  auto& net = model_.net();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> mus;
  const size_t bs = static_cast<size_t>(settings().batch_size);
  for (size_t start = 0; start < train_indices.size(); start += bs) {
    mus.push_back(net.encode(net.make_batch(gather(data, train_indices, start, std::min(train_indices.size(), start + bs)))));
  }
  const auto all = torch::cat(mus);
  net.set_latent_prior(all.mean(0), all.std(0, /*unbiased=*/false).clamp_min(1e-6));
}

TrainResult Ml2Trainer::train(const SongOrders& data, const std::vector<int64_t>& train_indices,
                              const std::vector<int64_t>& val_indices, const Ml2TrainerCallbacks& callbacks,
                              const std::atomic<bool>* stop) {
  if (train_indices.empty()) throw DatasetError("ml2 training set is empty");
  data.validate();
  check_data(data, train_indices);
  check_data(data, val_indices);
  if (state_.batch_in_epoch > 0 && state_.train_size != static_cast<int64_t>(train_indices.size())) {
    throw DatasetError(fmt::format("the interrupted epoch had {} training songs, now there are {}", state_.train_size,
                                   train_indices.size()));
  }
  auto& net = model_.net();
  if (!net.has_stats()) {
    net.set_stats(OrderStats::compute(gather(data, train_indices, 0, train_indices.size())));
    model_.set_ml1_version(data.ml1_version);
  }
  if (callbacks.sync != nullptr) callbacks.sync->broadcast_parameters(net);
  bool trained = false;
  while (state_.epochs_done < settings().epochs) {
    if (trained && callbacks.deadline && SteadyClock::now() >= *callbacks.deadline) {
      return {false, state_.epochs_done, true};
    }
    if (!run_epoch(data, train_indices, val_indices, callbacks, stop)) return {true, state_.epochs_done, false};
    trained = true;
  }
  return {false, state_.epochs_done, false};
}

bool Ml2Trainer::run_epoch(const SongOrders& data, const std::vector<int64_t>& train_indices,
                           const std::vector<int64_t>& val_indices, const Ml2TrainerCallbacks& callbacks,
                           const std::atomic<bool>* stop) {
  const auto start = Clock::now();
  const auto& s = settings();
  auto& net = model_.net();
  const int64_t n = static_cast<int64_t>(train_indices.size());
  const int64_t bs = s.batch_size;
  const int64_t n_batches = (n + bs - 1) / bs;
  // An interrupted epoch regenerates its permutation from the state the generator had when
  // the epoch began, which also leaves the generator where an uninterrupted run has it.
  if (state_.batch_in_epoch == 0) {
    state_.epoch_shuffle_rng = shuffle_gen_.get_state();
    state_.train_size = n;
  } else {
    shuffle_gen_.set_state(state_.epoch_shuffle_rng);
  }
  const auto perm = torch::randperm(n, shuffle_gen_, torch::dtype(torch::kInt64));
  const auto* order = perm.data_ptr<int64_t>();
  net.train();
  const double seconds_before = state_.seconds;
  const int64_t seen_before = state_.seen;
  for (int64_t b = state_.batch_in_epoch; b < n_batches; ++b) {
    if (stop != nullptr && stop->load()) {
      state_.batch_in_epoch = b;
      state_.seconds = seconds_before + seconds_since(start);
      return false;
    }
    int64_t first = b * bs, last = std::min(n, (b + 1) * bs);
    const int64_t global_items = last - first;
    if (callbacks.sync != nullptr) {
      const auto part = shard_range(global_items, callbacks.sync->rank(), callbacks.sync->world_size());
      last = first + part.second;
      first += part.first;
    }
    if (first == last) {
      // A rank with no part of a short last batch still takes the step that the others take.
      optimizer_->zero_grad();
      callbacks.sync->after_backward(net, 0, global_items);
      optimizer_->step();
      state_.batch_in_epoch = b + 1;
      continue;
    }
    const auto batch =
        net.make_batch(gather(data, train_indices, static_cast<size_t>(first), static_cast<size_t>(last), order));
    optimizer_->zero_grad();
    const auto out = net.forward(batch, &sample_gen_);
    const auto loss = ml2_loss(batch, out, s.kl_weight, s.stop_weight);
    loss.total.backward();
    if (callbacks.sync != nullptr) callbacks.sync->after_backward(net, last - first, global_items);
    optimizer_->step();
    const double count = static_cast<double>(batch.size());
    const double total = loss.total.item<double>();
    const double recon = loss.reconstruction.item<double>();
    state_.sum_total += total * count;
    state_.sum_reconstruction += recon * count;
    state_.sum_stop += loss.stop.item<double>() * count;
    state_.sum_kl += loss.kl.item<double>() * count;
    state_.seen += batch.size();
    state_.batch_in_epoch = b + 1;
    if (callbacks.progress) {
      const double secs = seconds_since(start);
      const double rate = secs > 0 ? static_cast<double>(state_.seen - seen_before) / secs : 0.0;
      callbacks.progress({state_.epochs_done + 1, b + 1, n_batches, total, recon, rate});
    }
  }
  // Sampling draws from the training songs' own latent distribution: with a small KL weight a
  // VAE's aggregate posterior is far from N(0, 1), and composing from N(0, 1) then lands off the
  // manifold of real songs.
  fit_latent_prior(data, train_indices);
  Ml2EpochRecord record;
  record.epoch = state_.epochs_done + 1;
  const double seen = static_cast<double>(std::max<int64_t>(state_.seen, 1));
  record.train_total = state_.sum_total / seen;
  record.train_reconstruction = state_.sum_reconstruction / seen;
  record.train_stop = state_.sum_stop / seen;
  record.train_kl = state_.sum_kl / seen;
  record.seconds = seconds_before + seconds_since(start);
  record.orders_per_s = record.seconds > 0 ? static_cast<double>(state_.seen) / record.seconds : 0.0;
  const auto val = validate(data, val_indices);
  record.val_reconstruction = val.reconstruction;
  record.val_length_error = val.length_error;
  state_.history.push_back(record);
  state_.epochs_done += 1;
  state_.batch_in_epoch = 0;
  state_.sum_total = state_.sum_reconstruction = state_.sum_stop = state_.sum_kl = state_.seconds = 0;
  state_.seen = 0;
  if (callbacks.epoch_end) callbacks.epoch_end(record, checkpoint());
  return true;
}

}  // namespace mh::model
