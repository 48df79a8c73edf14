#include "model/training_state.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/json_checks.hpp"

namespace mh::model {

nlohmann::json EpochRecord::to_json() const {
  nlohmann::json j = {{"epoch", epoch},
                      {"train_total", train_total},
                      {"train_reconstruction", train_reconstruction},
                      {"train_kl", train_kl},
                      {"seconds", seconds},
                      {"snippets_per_s", snippets_per_s}};
  j["val_reconstruction"] = number_or_null(val_reconstruction);
  j["val_mean_snippet"] = number_or_null(val_mean_snippet);
  j["val_time_flat"] = number_or_null(val_time_flat);
  j["train_kl_max"] = number_or_null(train_kl_max);
  return j;
}

EpochRecord EpochRecord::from_json(const nlohmann::json& j) {
  EpochRecord r;
  try {
    r.epoch = j.at("epoch").get<int64_t>();
    r.train_total = j.at("train_total").get<double>();
    r.train_reconstruction = j.at("train_reconstruction").get<double>();
    r.train_kl = j.at("train_kl").get<double>();
    r.seconds = j.at("seconds").get<double>();
    r.snippets_per_s = j.at("snippets_per_s").get<double>();
    const auto& v = j.at("val_reconstruction");
    r.val_reconstruction = v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
    for (auto [key, field] : {std::pair{"val_mean_snippet", &r.val_mean_snippet}, {"val_time_flat", &r.val_time_flat},
                              {"train_kl_max", &r.train_kl_max}}) {
      const auto it = j.find(key);
      *field = it == j.end() || it->is_null() ? std::numeric_limits<double>::quiet_NaN() : it->get<double>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("epoch record: {}", e.what()));
  }
  return r;
}

nlohmann::json Ml1TrainingState::to_json() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& r : history) h.push_back(r.to_json());
  return {{"epochs_done", epochs_done}, {"batch_in_epoch", batch_in_epoch}, {"train_size", train_size},
          {"sum_total", sum_total},     {"sum_reconstruction", sum_reconstruction},
          {"sum_kl", sum_kl},           {"seconds", seconds},
          {"seen", seen},               {"history", h},
          {"max_kl", max_kl},           {"steps", steps}};
}

Ml1TrainingState Ml1TrainingState::from_json(const nlohmann::json& j) {
  Ml1TrainingState s;
  try {
    s.epochs_done = j.at("epochs_done").get<int64_t>();
    s.batch_in_epoch = j.at("batch_in_epoch").get<int64_t>();
    s.train_size = j.at("train_size").get<int64_t>();
    s.sum_total = j.at("sum_total").get<double>();
    s.sum_reconstruction = j.at("sum_reconstruction").get<double>();
    s.sum_kl = j.at("sum_kl").get<double>();
    s.seconds = j.at("seconds").get<double>();
    s.seen = j.at("seen").get<int64_t>();
    s.max_kl = j.value("max_kl", 0.0);
    s.steps = j.value("steps", int64_t{0});
    for (const auto& r : j.at("history")) s.history.push_back(EpochRecord::from_json(r));
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("training state: {}", e.what()));
  }
  return s;
}

}  // namespace mh::model
