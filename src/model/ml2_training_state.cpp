#include "model/ml2_training_state.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/json_checks.hpp"

namespace mh::model {

namespace {

double number_or_nan(const nlohmann::json& v) {
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

}  // namespace

nlohmann::json Ml2EpochRecord::to_json() const {
  return {{"epoch", epoch},
          {"train_total", train_total},
          {"train_reconstruction", train_reconstruction},
          {"train_stop", train_stop},
          {"train_kl", train_kl},
          {"val_reconstruction", number_or_null(val_reconstruction)},
          {"val_length_error", number_or_null(val_length_error)},
          {"seconds", seconds},
          {"orders_per_s", orders_per_s}};
}

Ml2EpochRecord Ml2EpochRecord::from_json(const nlohmann::json& j) {
  Ml2EpochRecord r;
  try {
    r.epoch = j.at("epoch").get<int64_t>();
    r.train_total = j.at("train_total").get<double>();
    r.train_reconstruction = j.at("train_reconstruction").get<double>();
    r.train_stop = j.at("train_stop").get<double>();
    r.train_kl = j.at("train_kl").get<double>();
    r.val_reconstruction = number_or_nan(j.at("val_reconstruction"));
    r.val_length_error = number_or_nan(j.at("val_length_error"));
    r.seconds = j.at("seconds").get<double>();
    r.orders_per_s = j.at("orders_per_s").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("ml2 epoch record: {}", e.what()));
  }
  return r;
}

}  // namespace mh::model
