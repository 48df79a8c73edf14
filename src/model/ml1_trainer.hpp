#pragma once
/// The ML1 trainer: the shared epoch loop (epoch_runner.hpp) over snippets, with validation on
/// indices the caller gives (the dataset splits by song), the BatchNorm statistics re-estimated
/// at every epoch end and checkpoints at every epoch end. Prints nothing: progress goes to
/// callbacks.
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "model/conv_vae.hpp"
#include "model/epoch_runner.hpp"
#include "model/gradient_sync.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/ml1_settings.hpp"
#include "model/ml1_training_state.hpp"
#include "model/snippet_source.hpp"

namespace mh::model {

/// After each batch. loss is the batch's total (weight · MSE + KL), reconstruction its MSE.
struct TrainProgress {
  int64_t epoch = 0;  ///< 1-based, the epoch in progress
  int64_t batch = 0;  ///< 1-based, batches done in this epoch
  int64_t n_batches = 0;
  double loss = 0, reconstruction = 0;
  double snippets_per_s = 0;  ///< this epoch so far
};

struct TrainerCallbacks {
  std::function<void(const TrainProgress&)> progress;
  /// After every finished epoch, with the checkpoint bytes of the state at that point.
  std::function<void(const EpochRecord&, const std::string& checkpoint)> epoch_end;
  /// Data-parallel training (see distributed.hpp): trains on this rank's part of every global
  /// batch and combines gradients after backward. Null: one process. Records and progress then
  /// describe this rank's part only.
  GradientSync* sync = nullptr;
  /// Optional, one per training index: 0 or 1. Each batch then holds the two strata in the
  /// proportion of the whole set (within one item, epoch_order.hpp): a dream's `mix` policy
  /// keeps its human share in every batch.
  std::vector<std::uint8_t> strata;
  /// Optional: no batch starts after this time once one has been trained in this call; the
  /// epoch in progress then ends there (validated, saved, recorded) and training stops.
  std::optional<SteadyClock::time_point> deadline;
};

/// Eval-mode reconstruction MSE on validation snippets, with what two trivial predictors give:
/// the mean training snippet, and each snippet's own spectrum averaged over time (its colour
/// without its notes). NaN where there is nothing to measure.
struct ValidationFigures {
  double model, mean_snippet, time_flat;
};

class Ml1Trainer {
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
  const std::vector<EpochRecord>& history() const { return state_.history; }
  int64_t epochs_done() const { return state_.epochs_done; }

 private:
  Ml1Trainer(Ml1Settings settings, ConvVae model, std::shared_ptr<torch::optim::Adam> optimizer,
             torch::Device device);
  class Task;  // the epoch loop's view of this trainer
  Ml1TrainingState snapshot() const;
  /// A fresh run's output bias: the logit of the training snippets' mean value.
  void start_at_mean_level(const SnippetSource& source, const std::vector<int64_t>& train_indices);
  /// One Adam step at the warm-up's learning rate (Ml1Settings::warmup_steps).
  void step();

  Ml1Settings settings_;
  ConvVae model_;
  std::shared_ptr<torch::optim::Adam> optimizer_;
  torch::Device device_;
  torch::Generator shuffle_gen_, sample_gen_;
  Ml1TrainingState state_;  // position and history; generator states are kept in the generators
  torch::Tensor mean_snippet_;  // [1, 1, n_mels, frames], set by recalibrate()
};

}  // namespace mh::model
