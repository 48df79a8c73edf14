#pragma once
/// The ML1 trainer: the shared epoch loop (epoch_runner.hpp) over snippets, with validation on
/// indices the caller gives (the dataset splits by song), the BatchNorm statistics re-estimated
/// at every epoch end and checkpoints at every epoch end. Prints nothing: progress goes to
/// callbacks.
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "model/ml1_checkpoint.hpp"
#include "model/snippet_source.hpp"
#include "model/trainer_core.hpp"

namespace mh::model {

/// Eval-mode reconstruction MSE on validation snippets, with what two trivial predictors give:
/// the mean training snippet, and each snippet's own spectrum averaged over time (its colour
/// without its notes). NaN where there is nothing to measure.
struct ValidationFigures {
  double model, mean_snippet, time_flat;
};

/// The share of learning_rate an epoch trains at after the warm-up (Ml1Settings::lr_decay_epochs).
double decay_factor(const Ml1Settings& settings, int64_t epochs_done);

class Ml1Trainer : public TrainerCore<EpochRecord> {
 public:
  /// A fresh model from `options` (see options_for) on `device`. Throws SettingsError.
  Ml1Trainer(Ml1Settings settings, const ConvVaeOptions& options, torch::Device device);
  /// Continues from checkpoint bytes (see save_ml1_checkpoint). Throws CheckpointError.
  static Ml1Trainer resume(std::string_view checkpoint, torch::Device device, const std::string& name = "checkpoint");

  /// Trains until settings().epochs epochs are done or `*stop` becomes true (checked between
  /// batches). Snippets of `source` must be [1, n_mels, frames] as the model's options.
  /// `val_indices` may be empty (val_reconstruction is then NaN). Throws ShapeError,
  /// DatasetError (empty training set, or a different one than an interrupted epoch had).
  TrainResult train(const SnippetSource& source, const std::vector<int64_t>& train_indices,
                    const std::vector<int64_t>& val_indices, const TrainerCallbacks& callbacks = {},
                    const std::atomic<bool>* stop = nullptr);

  /// Reconstruction MSE over `indices` in eval mode (decoding mu), batches of settings().batch_size.
  double validate(const SnippetSource& source, const std::vector<int64_t>& indices);
  /// validate() with the two baselines (the mean snippet is that of the last recalibration's
  /// snippets; NaN before the first).
  ValidationFigures validation_figures(const SnippetSource& source, const std::vector<int64_t>& indices);
  /// Re-estimates the BatchNorm statistics from at most kCalibrationSnippets training snippets
  /// (batch_norm_calibration.hpp); done at every epoch end and when stopped, before saving.
  void recalibrate(const SnippetSource& source, const std::vector<int64_t>& train_indices);
  static constexpr size_t kCalibrationSnippets = 1024;

  /// The whole state (model, Adam, generators, position, history) as checkpoint bytes.
  std::string checkpoint() const;

  ConvVae& model() { return model_; }
  const Ml1Settings& settings() const { return settings_; }
  /// Changes the epoch target (e.g. to continue a finished run). Throws SettingsError.
  void set_epochs(int epochs);
  /// Changes the batch size from the next epoch on (an interrupted epoch keeps its own).
  /// Throws SettingsError.
  void set_batch_size(int batch_size);
  /// Changes the learning rate from the next step on (it is saved with the settings). Throws
  /// SettingsError.
  void set_learning_rate(double learning_rate);

 private:
  Ml1Trainer(Ml1Settings settings, ConvVae model, std::shared_ptr<torch::optim::Adam> optimizer,
             torch::Device device);
  class Task;  // the epoch loop's view of this trainer
  /// A fresh run's output bias: the logit of the training snippets' mean value.
  void start_at_mean_level(const SnippetSource& source, const std::vector<int64_t>& train_indices);
  /// One Adam step at the warm-up's learning rate (Ml1Settings::warmup_steps).
  void step();

  Ml1Settings settings_;
  ConvVae model_;
  torch::Tensor mean_snippet_;  // [1, 1, n_mels, frames], set by recalibrate()
};

}  // namespace mh::model
