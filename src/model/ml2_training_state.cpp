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

nlohmann::json Ml2TrainingState::to_json() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& r : history) h.push_back(r.to_json());
  return {{"epochs_done", epochs_done}, {"batch_in_epoch", batch_in_epoch}, {"train_size", train_size},
          {"sum_total", sum_total},     {"sum_reconstruction", sum_reconstruction},
          {"sum_stop", sum_stop},       {"sum_kl", sum_kl},
          {"seconds", seconds},         {"seen", seen},
          {"history", h}};
}

Ml2TrainingState Ml2TrainingState::from_json(const nlohmann::json& j) {
  Ml2TrainingState s;
  try {
    s.epochs_done = j.at("epochs_done").get<int64_t>();
    s.batch_in_epoch = j.at("batch_in_epoch").get<int64_t>();
    s.train_size = j.at("train_size").get<int64_t>();
    s.sum_total = j.at("sum_total").get<double>();
    s.sum_reconstruction = j.at("sum_reconstruction").get<double>();
    s.sum_stop = j.at("sum_stop").get<double>();
    s.sum_kl = j.at("sum_kl").get<double>();
    s.seconds = j.at("seconds").get<double>();
    s.seen = j.at("seen").get<int64_t>();
    for (const auto& r : j.at("history")) s.history.push_back(Ml2EpochRecord::from_json(r));
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("ml2 training state: {}", e.what()));
  }
  return s;
}

}  // namespace mh::model
