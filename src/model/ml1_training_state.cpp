#include "model/ml1_training_state.hpp"

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

}  // namespace mh::model
