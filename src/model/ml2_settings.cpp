#include "model/ml2_settings.hpp"

#include <fmt/format.h>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"

namespace mh::model {

void Ml2Settings::validate() const {
  check_choice("ml2.preset", preset, preset == "sequence" || preset == "dense", "sequence, dense");
  check_range("ml2.latent_dim", latent_dim, 1, 1024);
  check_range("ml2.hidden", hidden, 1, 8192);
  check_range("ml2.max_length", max_length, 1, 100000);
  check_range("ml2.learning_rate", learning_rate, 1e-8, 1.0);
  check_range("ml2.batch_size", batch_size, 1, 4096);
  check_range("ml2.epochs", epochs, 1, 100000);
  check_range("ml2.kl_weight", kl_weight, 0.0, 1e6);
  check_range("ml2.stop_weight", stop_weight, 0.0, 1e6);
  check_range("ml2.validation_fraction", validation_fraction, 0.0, 0.9);
}

nlohmann::json Ml2Settings::to_json() const {
  return {{"preset", preset},         {"latent_dim", latent_dim}, {"hidden", hidden},
          {"max_length", max_length}, {"learning_rate", learning_rate},
          {"batch_size", batch_size}, {"epochs", epochs},         {"kl_weight", kl_weight},
          {"stop_weight", stop_weight}, {"validation_fraction", validation_fraction},
          {"seed", seed}};
}

Ml2Settings Ml2Settings::from_json(const nlohmann::json& j) {
  Ml2Settings s;
  try {
    s.preset = j.at("preset").get<std::string>();
    s.latent_dim = j.at("latent_dim").get<int>();
    s.hidden = j.at("hidden").get<int>();
    s.max_length = j.at("max_length").get<int>();
    s.learning_rate = j.at("learning_rate").get<double>();
    s.batch_size = j.at("batch_size").get<int>();
    s.epochs = j.at("epochs").get<int>();
    s.kl_weight = j.at("kl_weight").get<double>();
    s.stop_weight = j.at("stop_weight").get<double>();
    s.validation_fraction = j.at("validation_fraction").get<double>();
    s.seed = json_uint64(j.at("seed"));
  } catch (const nlohmann::json::exception& e) {
    throw SettingsError(fmt::format("ml2 settings: {}", e.what()));
  }
  return s;
}

}  // namespace mh::model
