#pragma once
/// What a trainer (ML1 or ML2) carries from one epoch, or one interrupted batch, to the next:
/// the position inside the current epoch, its running sums, the generator states and the
/// per-epoch history, whose records are the one part each model has of its own. Stored in
/// checkpoints; the records are also the lines of the history files.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

namespace mh::model {

/// Everything but the history. batch_in_epoch > 0 means an epoch was interrupted after that
/// many batches; its shuffle is regenerated from epoch_shuffle_rng.
struct TrainingPosition {
  int64_t epochs_done = 0;
  int64_t batch_in_epoch = 0;
  int64_t train_size = 0;  ///< training items of the interrupted epoch (checked on resume)
  // Item-weighted sums over the batches done so far of an interrupted epoch.
  double sum_total = 0, sum_reconstruction = 0, sum_kl = 0, sum_stop = 0, seconds = 0;
  int64_t seen = 0;
  double max_kl = 0;  ///< largest batch KL so far in this epoch
  int64_t steps = 0;  ///< optimizer steps of the whole run (ML1's learning-rate warm-up counts them)
  /// States of the CPU generators (torch ByteTensors); they travel as tensors, not JSON.
  torch::Tensor shuffle_rng, sample_rng, epoch_shuffle_rng;

  /// Clears the running sums for the next epoch.
  void start_epoch();
  /// Gives a resuming trainer's generators the saved states (an undefined one leaves its
  /// generator as it is). Throws CheckpointError "<name>: bad generator state (...)".
  void restore_generators(torch::Generator& shuffle, torch::Generator& sample, const std::string& name) const;
};

/// What every model's record of a finished epoch holds. Training losses are item-weighted
/// means over the epoch; val_reconstruction is the validation MSE decoding mu, NaN without a
/// validation set (written as null).
struct EpochFigures {
  int64_t epoch = 0;  ///< 1-based
  double train_total = 0, train_reconstruction = 0, train_kl = 0;
  double val_reconstruction = 0;
  double seconds = 0;
};

/// ML1's finished epoch: snippets, losses of vae_loss.hpp, validation in eval mode.
struct EpochRecord : EpochFigures {
  /// ML1's loss has no stop term; its state keeps the KL peak and the step count instead.
  static constexpr bool kStopLoss = false;

  /// The baselines of val_reconstruction (ml1_trainer.hpp ValidationFigures); NaN when unknown
  /// (histories written before they were measured).
  double val_mean_snippet = std::nan(""), val_time_flat = std::nan("");
  double train_kl_max = std::nan("");  ///< the largest batch KL of the epoch (NaN in old histories)
  double snippets_per_s = 0;

  nlohmann::json to_json() const;
  /// One line of a JSON-lines history file (no trailing newline).
  std::string to_json_line() const { return to_json().dump(); }
  /// Throws CheckpointError when a field is missing.
  static EpochRecord from_json(const nlohmann::json& j);
};

/// ML2's finished epoch: songs, losses of ml2_loss.hpp, val_reconstruction per real step and
/// coordinate in normalised units. val_length_error is the mean absolute difference in steps
/// between decoded and true lengths, NaN (null) as val_reconstruction.
struct Ml2EpochRecord : EpochFigures {
  static constexpr bool kStopLoss = true;

  double train_stop = 0;
  double val_length_error = 0;
  double orders_per_s = 0;

  nlohmann::json to_json() const;
  std::string to_json_line() const { return to_json().dump(); }
  static Ml2EpochRecord from_json(const nlohmann::json& j);
};

/// `Record` is the model's epoch record. Its kStopLoss says which sums its checkpoints hold:
/// ML2's loss has a stop term (sum_stop); ML1's has none but keeps max_kl and steps. The keys
/// are those the two trainers wrote before they shared this type, so old checkpoints load.
template <class Record>
struct TrainingState : TrainingPosition {
  std::vector<Record> history;

  nlohmann::json to_json() const;
  /// Throws CheckpointError when a field is missing.
  static TrainingState from_json(const nlohmann::json& j);
};

using Ml1TrainingState = TrainingState<EpochRecord>;
using Ml2TrainingState = TrainingState<Ml2EpochRecord>;

}  // namespace mh::model
