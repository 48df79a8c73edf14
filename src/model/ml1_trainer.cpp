#include "model/ml1_trainer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/seed_mix.hpp"
#include "model/augment.hpp"
#include "model/batch_norm_calibration.hpp"
#include "model/cpu_generator.hpp"
#include "model/vae_loss.hpp"

namespace mh::model {

namespace {

void check_batch(const torch::Tensor& x, const ConvVaeOptions& o, size_t expected) {
  if (x.dim() != 4 || x.size(0) != static_cast<int64_t>(expected) || x.size(1) != 1 || x.size(2) != o.n_mels ||
      x.size(3) != o.frames) {
    std::string shape = "[";
    for (int64_t i = 0; i < x.dim(); ++i) shape += (i ? ", " : "") + std::to_string(x.size(i));
    throw ShapeError(fmt::format("snippet batch: got {}], expected [{}, 1, {}, {}]", shape, expected, o.n_mels, o.frames));
  }
}

}  // namespace

double decay_factor(const Ml1Settings& s, int64_t epochs_done) {
  if (s.lr_decay_epochs <= 0) return 1.0;
  const double p = std::min(1.0, static_cast<double>(epochs_done) / s.lr_decay_epochs);
  return s.lr_final_fraction + (1.0 - s.lr_final_fraction) * 0.5 * (1.0 + std::cos(M_PI * p));
}

class Ml1Trainer::Task final : public TrainerTask<EpochRecord, Ml1Trainer, SnippetSource> {
 public:
  using TrainerTask::TrainerTask;

  torch::nn::Module& module() override { return *t_.model_; }

  BatchLoss loss(const std::vector<int64_t>& items, int64_t batch) override {
    auto x = data_.batch(items).to(torch::kCPU, torch::kFloat32);
    check_batch(x, t_.model_->options(), items.size());
    const auto augmentation = augmentation_of(t_.settings_);
    if (augmentation.active()) {
      // A stream per (epoch, batch): an interrupted epoch resumes with the same draws, and no
      // generator state has to travel in the checkpoint.
      auto gen = cpu_generator(mix_seed(t_.settings_.seed ^ 0xA0637ULL, static_cast<uint64_t>(t_.state_.epochs_done),
                                        static_cast<uint64_t>(batch)));
      x = augment_snippets(x, augmentation, gen);
    }
    x = x.to(t_.device_);
    const auto out = t_.model_->forward(x, t_.sample_gen_);
    const auto loss = vae_loss(x, out.reconstruction, out.mu, out.log_var, t_.settings_.reconstruction_weight,
                                 t_.settings_.loss == "l1");
    const double total = loss.total.item<double>();
    if (!std::isfinite(total)) {
      // Nothing of this batch reaches the weights or the saved checkpoint.
      throw TrainingError(fmt::format(
          "ML1 training diverged at epoch {}, batch {}: the loss is {}; the last saved checkpoint is kept "
          "(try a lower ml1.learning_rate)", t_.state_.epochs_done + 1, batch + 1, total));
    }
    return {loss.total, loss.reconstruction, loss.kl, {}};
  }

  void step() override { t_.step(); }
  void end_epoch() override { t_.recalibrate(data_, train_); }
  // The saved state of a stopped run may be sung from: give it statistics of its weights.
  void on_stop() override { t_.recalibrate(data_, train_); }

  void validate(EpochRecord& record) override {
    const auto figures = t_.validation_figures(data_, val_);
    record.val_reconstruction = figures.model;
    record.val_mean_snippet = figures.mean_snippet;
    record.val_time_flat = figures.time_flat;
  }
};

Ml1Trainer::Ml1Trainer(Ml1Settings settings, const ConvVaeOptions& options, torch::Device device)
    : Ml1Trainer(settings, ConvVae(options), nullptr, device) {}

Ml1Trainer::Ml1Trainer(Ml1Settings settings, ConvVae model, std::shared_ptr<torch::optim::Adam> optimizer,
                       torch::Device device)
    : TrainerCore(settings.seed, device), settings_(std::move(settings)), model_(std::move(model)) {
  settings_.validate();
  model_->to(device_);
  // Adam keys its state by parameter, so it is made after the model reached its device.
  optimizer_ = optimizer ? std::move(optimizer) : make_adam(model_, settings_.learning_rate);
}

Ml1Trainer Ml1Trainer::resume(std::string_view checkpoint, torch::Device device, const std::string& name) {
  auto loaded = load_ml1_checkpoint(checkpoint, device, name);
  Ml1Trainer trainer(loaded.settings, loaded.model, loaded.optimizer, device);
  trainer.adopt(loaded.state, loaded.had_optimizer_state, name);
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

void Ml1Trainer::set_learning_rate(double learning_rate) {
  auto s = settings_;
  s.learning_rate = learning_rate;
  s.validate();
  settings_ = s;
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
  double scale = warmup > 0 ? std::min(1.0, static_cast<double>(state_.steps + 1) / warmup) : 1.0;
  scale *= decay_factor(settings_, state_.epochs_done);
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
  check_resumable(state_, train_indices.size(), "snippets");
  // Only a fresh run: a checkpoint from before steps were counted also reads 0 steps.
  if (state_.steps == 0 && state_.epochs_done == 0 && state_.batch_in_epoch == 0) {
    start_at_mean_level(source, train_indices);
  }
  Task task(*this, source, train_indices, val_indices);
  return run(task, train_indices, settings_.batch_size, settings_.epochs, DeadlineCheck::kBeforeStep, callbacks, stop,
             [this] { return checkpoint(); });
}

}  // namespace mh::model
