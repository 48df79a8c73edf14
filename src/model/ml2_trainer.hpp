#pragma once
/// The ML2 trainer: the shared epoch loop (epoch_runner.hpp) over songs, with validation on
/// held-out songs the caller names, the latent prior refitted (models with a song latent) and
/// checkpoint bytes written at every epoch end. The autoregressive preset trains on windows
/// drawn from each song of a batch (ml2_next_step.hpp). The first train() computes the order statistics and length range from the
/// training songs and stores them in the model. Prints nothing.
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "model/ml2_autoregressive.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/song_order.hpp"
#include "model/trainer_core.hpp"

namespace mh::model {

/// Held-out quality (see Ml2EpochRecord); NaN for no songs.
struct Ml2Validation {
  /// MSE per real step and coordinate, normalised units: of the songs decoded from their mu, or
  /// for the autoregressive preset of each step's teacher-forced prediction (the mixture's mean)
  double reconstruction = 0;
  double length_error = 0;    ///< mean |decoded − true| length, steps (NaN: autoregressive)
};

class Ml2Trainer : public TrainerCore<Ml2EpochRecord> {
 public:
  /// A fresh model for orders of `input_dim` coordinates on `device`. Throws SettingsError.
  Ml2Trainer(Ml2Settings settings, int64_t input_dim, torch::Device device);
  /// Continues from checkpoint bytes (see checkpoint()). Throws CheckpointError.
  static Ml2Trainer resume(std::string_view checkpoint, torch::Device device, const std::string& name = "checkpoint");

  /// Trains until settings().epochs epochs are done or `*stop` becomes true (checked between
  /// batches). Indices select songs of `data`; `val_indices` may be empty. Throws DatasetError
  /// (empty training set, bad index, an order longer than ml2.max_length, another D or ML1
  /// version than the model's, another training set than an interrupted epoch had).
  TrainResult train(const SongOrders& data, const std::vector<int64_t>& train_indices,
                    const std::vector<int64_t>& val_indices, const Ml2TrainerCallbacks& callbacks = {},
                    const std::atomic<bool>* stop = nullptr);

  /// Held-out quality over `indices`, batches of settings().batch_size. Throws DatasetError,
  /// CheckpointError before the model has statistics.
  Ml2Validation validate(const SongOrders& data, const std::vector<int64_t>& indices);

  /// The whole state (model, Adam, generators, position, history) as checkpoint bytes.
  std::string checkpoint() const;

  Ml2& model() { return model_; }
  const Ml2Settings& settings() const { return model_.settings(); }
  /// Changes the epoch target (e.g. to continue a finished run). Throws SettingsError.
  void set_epochs(int epochs) { model_.set_epochs(epochs); }
  /// Changes Adam's learning rate from the next step on. Throws SettingsError.
  void set_learning_rate(double learning_rate);
  /// Changes the songs per batch from the next epoch on (an interrupted epoch keeps its own).
  /// Throws SettingsError.
  void set_batch_size(int batch_size);

 private:
  Ml2Trainer(Ml2 model, std::shared_ptr<torch::optim::Adam> optimizer, torch::Device device);
  class Task;  // the epoch loop's view of this trainer
  std::vector<torch::Tensor> gather(const SongOrders& data, const std::vector<int64_t>& indices, size_t start,
                                    size_t end) const;
  void check_data(const SongOrders& data, const std::vector<int64_t>& indices) const;
  /// The model when it is the autoregressive preset, else null.
  AutoregressiveImpl* autoregressive();
  /// Orders normalised by the model's statistics, on its device.
  std::vector<torch::Tensor> normalised(const std::vector<torch::Tensor>& orders) const;
  /// Stores the training latents' mean and std as an autoencoder's sampling distribution.
  void fit_latent_prior(const SongOrders& data, const std::vector<int64_t>& train_indices);

  Ml2 model_;
};

}  // namespace mh::model
