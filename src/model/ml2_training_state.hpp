#pragma once
/// ML2's epoch record and training state (model/training_state.hpp).
#include <nlohmann/json.hpp>

#include <string>

#include "model/training_state.hpp"

namespace mh::model {

/// One finished epoch. Training losses are song-weighted means over the epoch (see ml2_loss.hpp).
/// val_reconstruction is the held-out MSE per real step and coordinate in normalised units,
/// decoding mu; val_length_error the mean absolute difference in steps between decoded and
/// true lengths; both NaN without a validation set (written as null).
struct Ml2EpochRecord {
  /// ML2's loss has a stop term (training_state.hpp).
  static constexpr bool kStopLoss = true;
  static constexpr const char* kStateName = "ml2 training state";

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

using Ml2TrainingState = TrainingState<Ml2EpochRecord>;

}  // namespace mh::model
