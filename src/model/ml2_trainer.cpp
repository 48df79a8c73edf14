#include "model/ml2_trainer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "model/ml2_loss.hpp"
#include "model/ml2_next_step.hpp"

namespace mh::model {

class Ml2Trainer::Task final : public TrainerTask<Ml2EpochRecord, Ml2Trainer, SongOrders> {
 public:
  using TrainerTask::TrainerTask;

  torch::nn::Module& module() override { return t_.model_.net(); }

  BatchLoss loss(const std::vector<int64_t>& items, int64_t /*batch*/) override {
    auto& net = t_.model_.net();
    if (auto* ar = t_.autoregressive()) {
      const auto& s = t_.settings();
      const WindowDraw draw{s.crops_per_song, s.crop_min, s.crop_max, s.input_noise};
      const auto batch = draw_windows(t_.normalised(t_.gather(data_, items, 0, items.size())), draw, t_.sample_gen_)
                             .to(net.device());
      const auto loss = next_step_loss(ar->predict(batch.previous, batch.starts), batch);
      return {loss.nll, loss.mse, torch::zeros({}, loss.nll.options()), {}};
    }
    const auto batch = net.make_batch(t_.gather(data_, items, 0, items.size()));
    const auto out = net.forward(batch, &t_.sample_gen_);
    const auto& s = t_.settings();
    const auto loss = ml2_loss(batch, out, s.kl_weight, s.stop_weight);
    return {loss.total, loss.reconstruction, loss.kl, loss.stop};
  }

  void step() override { t_.optimizer_->step(); }
  // Sampling draws from the training songs' own latent distribution: with a small KL weight a
  // VAE's aggregate posterior is far from N(0, 1), and composing from N(0, 1) then lands off the
  // manifold of real songs.
  void end_epoch() override {
    if (t_.model_.net().has_song_latent()) t_.fit_latent_prior(data_, train_);
  }

  void validate(Ml2EpochRecord& record) override {
    const auto val = t_.validate(data_, val_);
    record.val_reconstruction = val.reconstruction;
    record.val_length_error = val.length_error;
  }
};

Ml2Trainer::Ml2Trainer(Ml2Settings settings, int64_t input_dim, torch::Device device)
    : Ml2Trainer(Ml2(settings, input_dim, device), nullptr, device) {}

Ml2Trainer::Ml2Trainer(Ml2 model, std::shared_ptr<torch::optim::Adam> optimizer, torch::Device device)
    : TrainerCore(model.settings().seed, device), model_(std::move(model)) {
  model_.net().to(device_);
  // Adam keys its state by parameter, so it is made after the model reached its device.
  optimizer_ = optimizer ? std::move(optimizer) : make_ml2_adam(model_.net(), model_.settings().learning_rate);
}

Ml2Trainer Ml2Trainer::resume(std::string_view checkpoint, torch::Device device, const std::string& name) {
  auto loaded = load_ml2_checkpoint(checkpoint, device, name);
  Ml2Trainer trainer(loaded.model, loaded.optimizer, device);
  trainer.adopt(loaded.state, loaded.had_optimizer_state, name);
  return trainer;
}

void Ml2Trainer::set_learning_rate(double learning_rate) {
  model_.set_learning_rate(learning_rate);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  }
}

void Ml2Trainer::set_batch_size(int batch_size) {
  // The epoch's batches were cut at its start: a new size would skip or repeat songs.
  if (interrupted()) return;
  model_.set_batch_size(batch_size);
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
                                              size_t start, size_t end) const {
  std::vector<torch::Tensor> out;
  out.reserve(end - start);
  for (size_t i = start; i < end; ++i) out.push_back(data.orders[static_cast<size_t>(indices[i])]);
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
  if (auto* ar = autoregressive()) {
    // Next-step prediction of whole held-out songs from their start, teacher-forced.
    double squared = 0, values = 0;
    const size_t bs = static_cast<size_t>(settings().batch_size);
    for (size_t start = 0; start < indices.size(); start += bs) {
      const auto batch = whole_songs(normalised(gather(data, indices, start, std::min(indices.size(), start + bs))))
                             .to(net.device());
      const auto loss = next_step_loss(ar->predict(batch.previous, batch.starts), batch);
      const auto count = static_cast<double>(batch.mask.sum().item<int64_t>() * net.input_dim());
      squared += loss.mse.item<double>() * count;
      values += count;
    }
    return {squared / values, nan};
  }
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

AutoregressiveImpl* Ml2Trainer::autoregressive() { return dynamic_cast<AutoregressiveImpl*>(&model_.net()); }

std::vector<torch::Tensor> Ml2Trainer::normalised(const std::vector<torch::Tensor>& orders) const {
  const auto stats = model_.net().stats().to(model_.net().device());
  std::vector<torch::Tensor> out;
  out.reserve(orders.size());
  for (const auto& order : orders) out.push_back(normalise(order, stats));
  return out;
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
  check_resumable(state_, train_indices.size(), "songs");
  auto& net = model_.net();
  if (!net.has_stats()) {
    net.set_stats(OrderStats::compute(gather(data, train_indices, 0, train_indices.size())));
    model_.set_ml1_version(data.ml1_version);
  }
  Task task(*this, data, train_indices, val_indices);
  return run(task, train_indices, settings().batch_size, settings().epochs, DeadlineCheck::kBeforeEpoch, callbacks,
             stop, [this] { return checkpoint(); });
}

}  // namespace mh::model
