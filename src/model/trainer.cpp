#include "model/trainer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/seed_mix.hpp"
#include "model/cpu_generator.hpp"
#include "model/batch_norm_calibration.hpp"
#include "model/vae_loss.hpp"

namespace mh::model {

namespace {

using Clock = std::chrono::steady_clock;

void check_batch(const torch::Tensor& x, const ConvVaeOptions& o, size_t expected) {
  if (x.dim() != 4 || x.size(0) != static_cast<int64_t>(expected) || x.size(1) != 1 || x.size(2) != o.n_mels ||
      x.size(3) != o.frames) {
    std::string shape = "[";
    for (int64_t i = 0; i < x.dim(); ++i) shape += (i ? ", " : "") + std::to_string(x.size(i));
    throw ShapeError(fmt::format("snippet batch: got {}], expected [{}, 1, {}, {}]", shape, expected, o.n_mels, o.frames));
  }
}

}  // namespace

Ml1Trainer::Ml1Trainer(Ml1Settings settings, const ConvVaeOptions& options, torch::Device device)
    : Ml1Trainer(settings, ConvVae(options), nullptr, device) {}

Ml1Trainer::Ml1Trainer(Ml1Settings settings, ConvVae model, std::shared_ptr<torch::optim::Adam> optimizer,
                       torch::Device device)
    : settings_(std::move(settings)),
      model_(std::move(model)),
      device_(device),
      // Fixed offsets keep the streams independent of each other and of the initialisation seed.
      shuffle_gen_(cpu_generator(settings_.seed + 2)),
      sample_gen_(cpu_generator(settings_.seed + 1)) {
  settings_.validate();
  model_->to(device_);
  // Adam keys its state by parameter, so it is made after the model reached its device.
  optimizer_ = optimizer ? std::move(optimizer) : make_adam(model_, settings_.learning_rate);
}

Ml1Trainer Ml1Trainer::resume(std::string_view checkpoint, torch::Device device, const std::string& name) {
  auto loaded = load_ml1_checkpoint(checkpoint, device, name);
  if (!loaded.had_optimizer_state) {
    throw CheckpointError(fmt::format("{}: holds no optimizer state, training cannot resume from it", name));
  }
  Ml1Trainer trainer(loaded.settings, loaded.model, loaded.optimizer, device);
  trainer.state_ = loaded.state;
  try {
    if (loaded.state.shuffle_rng.defined()) trainer.shuffle_gen_.set_state(loaded.state.shuffle_rng);
    if (loaded.state.sample_rng.defined()) trainer.sample_gen_.set_state(loaded.state.sample_rng);
  } catch (const c10::Error& e) {
    throw CheckpointError(fmt::format("{}: bad generator state ({})", name, e.what_without_backtrace()));
  }
  return trainer;
}

void Ml1Trainer::set_epochs(int epochs) {
  auto s = settings_;
  s.epochs = epochs;
  s.validate();
  settings_ = s;
}

void Ml1Trainer::set_batch_size(int batch_size) {
  if (state_.batch_in_epoch > 0) return;
  auto s = settings_;
  s.batch_size = batch_size;
  s.validate();
  settings_ = s;
}

torch::Tensor Ml1Trainer::epoch_order(int64_t n, const std::vector<std::uint8_t>& strata) {
  if (strata.empty()) return torch::randperm(n, shuffle_gen_, torch::dtype(torch::kInt64));
  if (static_cast<int64_t>(strata.size()) != n) {
    throw ShapeError(fmt::format("{} strata for {} training snippets", strata.size(), n));
  }
  std::vector<int64_t> pools[2];
  for (int64_t i = 0; i < n; ++i) pools[strata[static_cast<size_t>(i)] != 0].push_back(i);
  std::vector<int64_t> shuffled[2];
  for (int k = 0; k < 2; ++k) {
    const auto perm = torch::randperm(static_cast<int64_t>(pools[k].size()), shuffle_gen_, torch::dtype(torch::kInt64));
    for (int64_t j = 0; j < perm.numel(); ++j) shuffled[k].push_back(pools[k][static_cast<size_t>(perm[j].item<int64_t>())]);
  }
  // Every prefix holds round(share · length) items of stratum 1, so every batch holds the share.
  const double share = static_cast<double>(shuffled[1].size()) / static_cast<double>(n);
  auto out = torch::empty({n}, torch::kInt64);
  auto* o = out.data_ptr<int64_t>();
  size_t taken[2] = {0, 0};
  for (int64_t k = 0; k < n; ++k) {
    const auto want = static_cast<size_t>(std::llround(share * static_cast<double>(k + 1)));
    const int pick = (taken[1] < want && taken[1] < shuffled[1].size()) || taken[0] >= shuffled[0].size() ? 1 : 0;
    o[k] = shuffled[pick][taken[pick]++];
  }
  return out;
}

Ml1TrainingState Ml1Trainer::snapshot() const {
  auto s = state_;
  s.shuffle_rng = shuffle_gen_.get_state();
  s.sample_rng = sample_gen_.get_state();
  return s;
}

std::string Ml1Trainer::checkpoint() const {
  return save_ml1_checkpoint(settings_, model_, optimizer_.get(), snapshot());
}

void Ml1Trainer::start_at_mean_level(const SnippetSource& source, const std::vector<int64_t>& train_indices) {
  // With a zero bias the sigmoid starts at 0.5 everywhere while snippets average about 0.35: the
  // first dozen epochs went into learning that level.
  const auto subset = calibration_subset(train_indices, kCalibrationSnippets);
  double sum = 0;
  const size_t bs = static_cast<size_t>(settings_.batch_size);
  for (size_t s = 0; s < subset.size(); s += bs) {
    const std::vector<int64_t> idx(subset.begin() + s, subset.begin() + std::min(subset.size(), s + bs));
    sum += source.batch(idx).to(torch::kFloat64).mean().item<double>() * static_cast<double>(idx.size());
  }
  const double p = std::clamp(sum / static_cast<double>(subset.size()), 1e-3, 1.0 - 1e-3);
  torch::NoGradGuard no_grad;
  model_->output_conv->bias.fill_(std::log(p / (1.0 - p)));
}

void Ml1Trainer::step() {
  const double warmup = settings_.warmup_steps;
  const double scale = warmup > 0 ? std::min(1.0, static_cast<double>(state_.steps + 1) / warmup) : 1.0;
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(settings_.learning_rate * scale);
  }
  optimizer_->step();
  state_.steps += 1;
}

double Ml1Trainer::validate(const SnippetSource& source, const std::vector<int64_t>& indices) {
  return validation_figures(source, indices).model;
}

ValidationFigures Ml1Trainer::validation_figures(const SnippetSource& source, const std::vector<int64_t>& indices) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (indices.empty()) return {nan, nan, nan};
  torch::NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  double sum = 0, sum_mean = 0, sum_flat = 0;
  const size_t bs = static_cast<size_t>(settings_.batch_size);
  for (size_t start = 0; start < indices.size(); start += bs) {
    const std::vector<int64_t> idx(indices.begin() + start, indices.begin() + std::min(indices.size(), start + bs));
    const auto x = source.batch(idx).to(device_, torch::kFloat32);
    check_batch(x, model_->options(), idx.size());
    const auto y = model_->decode(model_->encode(x));
    const double n = static_cast<double>(idx.size());
    sum += (x - y).pow(2).mean().item<double>() * n;
    // Each snippet's own spectrum averaged over time: what a model that knows the colour of a
    // snippet but none of its notes would give.
    sum_flat += (x - x.mean(3, /*keepdim=*/true)).pow(2).mean().item<double>() * n;
    if (mean_snippet_.defined()) sum_mean += (x - mean_snippet_).pow(2).mean().item<double>() * n;
  }
  model_->train(was_training);
  const double n = static_cast<double>(indices.size());
  return {sum / n, mean_snippet_.defined() ? sum_mean / n : nan, sum_flat / n};
}

void Ml1Trainer::recalibrate(const SnippetSource& source, const std::vector<int64_t>& train_indices) {
  const auto mean = recalibrate_batch_norm(*model_, source, train_indices, kCalibrationSnippets,
                                           settings_.batch_size, device_);
  if (mean.defined()) mean_snippet_ = mean;
}

TrainResult Ml1Trainer::train(const SnippetSource& source, const std::vector<int64_t>& train_indices,
                              const std::vector<int64_t>& val_indices, const TrainerCallbacks& callbacks,
                              const std::atomic<bool>* stop) {
  if (train_indices.empty()) throw DatasetError("ml1 training set is empty");
  if (state_.batch_in_epoch > 0 && state_.train_size != static_cast<int64_t>(train_indices.size())) {
    throw DatasetError(fmt::format("the interrupted epoch had {} training snippets, now there are {}",
                                   state_.train_size, train_indices.size()));
  }
  // Only a fresh run: a checkpoint from before steps were counted also reads 0 steps.
  if (state_.steps == 0 && state_.epochs_done == 0 && state_.batch_in_epoch == 0) {
    start_at_mean_level(source, train_indices);
  }
  if (callbacks.sync != nullptr) callbacks.sync->broadcast_parameters(*model_);
  out_of_time_ = false;
  while (state_.epochs_done < settings_.epochs) {
    if (!run_epoch(source, train_indices, val_indices, callbacks, stop)) {
      // The saved state of a stopped run may be sung from: give it statistics of its weights.
      recalibrate(source, train_indices);
      return {true, state_.epochs_done, false};
    }
    if (out_of_time_) return {false, state_.epochs_done, true};
  }
  return {false, state_.epochs_done, false};
}

bool Ml1Trainer::run_epoch(const SnippetSource& source, const std::vector<int64_t>& train_indices,
                           const std::vector<int64_t>& val_indices, const TrainerCallbacks& callbacks,
                           const std::atomic<bool>* stop) {
  const auto start = Clock::now();
  const int64_t n = static_cast<int64_t>(train_indices.size());
  const int64_t bs = settings_.batch_size;
  const int64_t n_batches = (n + bs - 1) / bs;
  // An interrupted epoch regenerates its permutation from the state the generator had when
  // the epoch began, which also leaves the generator where an uninterrupted run has it.
  if (state_.batch_in_epoch == 0) {
    state_.epoch_shuffle_rng = shuffle_gen_.get_state();
    state_.train_size = n;
  } else {
    shuffle_gen_.set_state(state_.epoch_shuffle_rng);
  }
  const auto perm = epoch_order(n, callbacks.strata);
  const auto* order = perm.data_ptr<int64_t>();
  model_->train();
  const int64_t first_batch = state_.batch_in_epoch;
  const double seconds_before = state_.seconds;
  const int64_t seen_before = state_.seen;
  for (int64_t b = state_.batch_in_epoch; b < n_batches; ++b) {
    if (stop != nullptr && stop->load()) {
      state_.batch_in_epoch = b;
      state_.seconds = seconds_before + seconds_since(start);
      return false;
    }
    if (callbacks.deadline && b > first_batch && Clock::now() >= *callbacks.deadline) {
      out_of_time_ = true;
      break;
    }
    std::vector<int64_t> idx;
    int64_t first = b * bs, last = std::min(n, (b + 1) * bs);
    const int64_t global_items = last - first;
    if (callbacks.sync != nullptr) {
      const auto part = shard_range(global_items, callbacks.sync->rank(), callbacks.sync->world_size());
      last = first + part.second;
      first += part.first;
    }
    for (int64_t i = first; i < last; ++i) idx.push_back(train_indices[order[i]]);
    if (idx.empty()) {
      // A rank with no part of a short last batch still takes the step that the others take.
      optimizer_->zero_grad();
      callbacks.sync->after_backward(*model_, 0, global_items);
      step();
      state_.batch_in_epoch = b + 1;
      continue;
    }
    auto x = source.batch(idx).to(torch::kCPU, torch::kFloat32);
    check_batch(x, model_->options(), idx.size());
    const auto augmentation = augmentation_of(settings_);
    if (augmentation.active()) {
      // A stream per (epoch, batch): an interrupted epoch resumes with the same draws, and no
      // generator state has to travel in the checkpoint.
      auto gen = cpu_generator(mix_seed(settings_.seed ^ 0xA0637ULL, static_cast<uint64_t>(state_.epochs_done),
                                        static_cast<uint64_t>(b)));
      x = augment_snippets(x, augmentation, gen);
    }
    x = x.to(device_);
    optimizer_->zero_grad();
    const auto out = model_->forward(x, sample_gen_);
    const auto loss = vae_loss(x, out.reconstruction, out.mu, out.log_var, settings_.reconstruction_weight);
    const double total = loss.total.item<double>();
    if (!std::isfinite(total)) {
      // Nothing of this batch reaches the weights or the saved checkpoint.
      throw TrainingError(fmt::format(
          "ML1 training diverged at epoch {}, batch {}: the loss is {}; the last saved checkpoint is kept "
          "(try a lower ml1.learning_rate)", state_.epochs_done + 1, b + 1, total));
    }
    loss.total.backward();
    if (callbacks.sync != nullptr) callbacks.sync->after_backward(*model_, static_cast<int64_t>(idx.size()), global_items);
    step();
    const double count = static_cast<double>(idx.size());
    const double recon = loss.reconstruction.item<double>();
    state_.sum_total += total * count;
    state_.sum_reconstruction += recon * count;
    const double kl = loss.kl.item<double>();
    state_.sum_kl += kl * count;
    state_.max_kl = std::max(state_.max_kl, kl);
    state_.seen += static_cast<int64_t>(idx.size());
    state_.batch_in_epoch = b + 1;
    if (callbacks.progress) {
      const double s = seconds_since(start);
      const double rate = s > 0 ? static_cast<double>(state_.seen - seen_before) / s : 0.0;
      callbacks.progress({state_.epochs_done + 1, b + 1, n_batches, total, recon, rate});
    }
  }
  EpochRecord record;
  record.epoch = state_.epochs_done + 1;
  const double seen = static_cast<double>(std::max<int64_t>(state_.seen, 1));
  record.train_total = state_.sum_total / seen;
  record.train_reconstruction = state_.sum_reconstruction / seen;
  record.train_kl = state_.sum_kl / seen;
  record.train_kl_max = state_.max_kl;
  record.seconds = seconds_before + seconds_since(start);
  record.snippets_per_s = record.seconds > 0 ? static_cast<double>(state_.seen) / record.seconds : 0.0;
  recalibrate(source, train_indices);
  const auto figures = validation_figures(source, val_indices);
  record.val_reconstruction = figures.model;
  record.val_mean_snippet = figures.mean_snippet;
  record.val_time_flat = figures.time_flat;
  state_.history.push_back(record);
  state_.epochs_done += 1;
  state_.batch_in_epoch = 0;
  state_.sum_total = state_.sum_reconstruction = state_.sum_kl = state_.seconds = state_.max_kl = 0;
  state_.seen = 0;
  if (callbacks.epoch_end) callbacks.epoch_end(record, checkpoint());
  return true;
}

}  // namespace mh::model
