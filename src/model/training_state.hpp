#pragma once
/// What the ML1 trainer carries from one epoch (or one interrupted batch) to the next: the
/// per-epoch history and the position inside the current epoch. Stored in checkpoints.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

namespace mh::model {

/// One finished epoch. Losses are snippet-weighted means over the epoch (see vae_loss.hpp);
/// val_reconstruction is the validation MSE in eval mode (decoding mu), NaN without a
/// validation set (written as null).
struct EpochRecord {
  int64_t epoch = 0;  ///< 1-based
  double train_total = 0, train_reconstruction = 0, train_kl = 0;
  double val_reconstruction = 0;
  /// The baselines of val_reconstruction (trainer.hpp ValidationFigures); NaN when unknown
  /// (histories written before they were measured).
  double val_mean_snippet = std::nan(""), val_time_flat = std::nan("");
  double train_kl_max = std::nan("");  ///< the largest batch KL of the epoch (NaN in old histories)
  double seconds = 0, snippets_per_s = 0;

  nlohmann::json to_json() const;
  /// One line of a JSON-lines history file (no trailing newline).
  std::string to_json_line() const { return to_json().dump(); }
  /// Throws CheckpointError when a field is missing.
  static EpochRecord from_json(const nlohmann::json& j);
};

/// Position of a training run. batch_in_epoch > 0 means an epoch was interrupted after that
/// many batches; its shuffle is regenerated from epoch_shuffle_state.
struct Ml1TrainingState {
  int64_t epochs_done = 0;
  int64_t batch_in_epoch = 0;
  int64_t train_size = 0;  ///< training snippets of the interrupted epoch (checked on resume)
  // Sums over the batches done so far of an interrupted epoch.
  double sum_total = 0, sum_reconstruction = 0, sum_kl = 0, seconds = 0;
  int64_t seen = 0;
  double max_kl = 0;   ///< largest batch KL so far in this epoch
  int64_t steps = 0;   ///< optimizer steps of the whole run (the learning-rate warm-up counts them)
  std::vector<EpochRecord> history;
  /// States of the CPU generators (torch ByteTensors).
  torch::Tensor shuffle_rng, sample_rng, epoch_shuffle_rng;

  /// Everything except the generator states, which travel as tensors.
  nlohmann::json to_json() const;
  static Ml1TrainingState from_json(const nlohmann::json& j);
};

}  // namespace mh::model
