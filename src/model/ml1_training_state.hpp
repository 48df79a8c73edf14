#pragma once
/// ML1's epoch record and training state (model/training_state.hpp).
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "model/training_state.hpp"

namespace mh::model {

/// One finished epoch. Losses are snippet-weighted means over the epoch (see vae_loss.hpp);
/// val_reconstruction is the validation MSE in eval mode (decoding mu), NaN without a
/// validation set (written as null).
struct EpochRecord {
  /// ML1's loss has no stop term; its state keeps the KL peak and the step count instead.
  static constexpr bool kStopLoss = false;
  static constexpr const char* kStateName = "training state";

  int64_t epoch = 0;  ///< 1-based
  double train_total = 0, train_reconstruction = 0, train_kl = 0;
  double val_reconstruction = 0;
  /// The baselines of val_reconstruction (ml1_trainer.hpp ValidationFigures); NaN when unknown
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

using Ml1TrainingState = TrainingState<EpochRecord>;

}  // namespace mh::model
