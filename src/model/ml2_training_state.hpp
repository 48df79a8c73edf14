#pragma once
/// What the ML2 trainer carries from one epoch (or one interrupted batch) to the next: the
/// per-epoch history and the position inside the current epoch. Stored in checkpoints.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mh::model {

/// One finished epoch. Training losses are song-weighted means over the epoch (see ml2_loss.hpp).
/// val_reconstruction is the held-out MSE per real step and coordinate in normalised units,
/// decoding mu; val_length_error the mean absolute difference in steps between decoded and
/// true lengths; both NaN without a validation set (written as null).
struct Ml2EpochRecord {
  int64_t epoch = 0;  ///< 1-based
  double train_total = 0, train_reconstruction = 0, train_stop = 0, train_kl = 0;
  double val_reconstruction = 0, val_length_error = 0;
  double seconds = 0, orders_per_s = 0;

  nlohmann::json to_json() const;
  /// One line of a JSON-lines history file (no trailing newline).
  std::string to_json_line() const { return to_json().dump(); }
  /// Throws CheckpointError when a field is missing.
  static Ml2EpochRecord from_json(const nlohmann::json& j);
};

/// Position of a training run. batch_in_epoch > 0 means an epoch was interrupted after that
/// many batches; its shuffle is regenerated from epoch_shuffle_rng.
struct Ml2TrainingState {
  int64_t epochs_done = 0;
  int64_t batch_in_epoch = 0;
  int64_t train_size = 0;  ///< training songs of the interrupted epoch (checked on resume)
  // Sums over the batches done so far of an interrupted epoch.
  double sum_total = 0, sum_reconstruction = 0, sum_stop = 0, sum_kl = 0, seconds = 0;
  int64_t seen = 0;
  std::vector<Ml2EpochRecord> history;
  /// States of the CPU generators (torch ByteTensors); they travel as tensors, not JSON.
  torch::Tensor shuffle_rng, sample_rng, epoch_shuffle_rng;

  nlohmann::json to_json() const;
  /// Throws CheckpointError when a field is missing.
  static Ml2TrainingState from_json(const nlohmann::json& j);
};

}  // namespace mh::model
