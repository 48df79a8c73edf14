#include "model/ml1_settings.hpp"

#include <fmt/format.h>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"

namespace mh::model {

void Ml1Settings::validate() const {
  check_choice("ml1.preset", preset, preset == "fast" || preset == "seed", "fast, seed");
  check_range("ml1.latent_dim", latent_dim, 1, 4096);
  check_range("ml1.reconstruction_weight", reconstruction_weight, 0.0, 1e12);
  check_range("ml1.learning_rate", learning_rate, 1e-8, 1.0);
  check_range("ml1.batch_size", batch_size, 1, 4096);
  check_range("ml1.epochs", epochs, 1, 100000);
  check_range("ml1.validation_fraction", validation_fraction, 0.0, 0.9);
  check_range("ml1.augment_mel_shift", augment_mel_shift, 0, 16);
  check_range("ml1.warmup_steps", warmup_steps, 0, 1000000);
}

nlohmann::json Ml1Settings::to_json() const {
  return {{"preset", preset},
          {"latent_dim", latent_dim},
          {"reconstruction_weight", reconstruction_weight},
          {"learning_rate", learning_rate},
          {"batch_size", batch_size},
          {"epochs", epochs},
          {"validation_fraction", validation_fraction},
          {"seed", seed},
          {"augment_time_roll", augment_time_roll},
          {"augment_mel_shift", augment_mel_shift},
          {"warmup_steps", warmup_steps}};
}

Ml1Settings Ml1Settings::from_json(const nlohmann::json& j) {
  Ml1Settings s;
  try {
    s.preset = j.at("preset").get<std::string>();
    s.latent_dim = j.at("latent_dim").get<int>();
    s.reconstruction_weight = j.at("reconstruction_weight").get<double>();
    s.learning_rate = j.at("learning_rate").get<double>();
    s.batch_size = j.at("batch_size").get<int>();
    s.epochs = j.at("epochs").get<int>();
    s.validation_fraction = j.at("validation_fraction").get<double>();
    s.seed = json_uint64(j.at("seed"));
    s.augment_time_roll = j.value("augment_time_roll", false);
    s.augment_mel_shift = j.value("augment_mel_shift", 0);
    s.warmup_steps = j.value("warmup_steps", 0);
  } catch (const nlohmann::json::exception& e) {
    throw SettingsError(fmt::format("ml1 settings: {}", e.what()));
  }
  return s;
}

Augmentation augmentation_of(const Ml1Settings& settings) {
  return {settings.augment_time_roll, settings.augment_mel_shift};
}

ConvVaeOptions options_for(const Ml1Settings& settings, int n_mels, int frames) {
  settings.validate();
  auto options = ConvVaeOptions::preset(settings.preset, n_mels, frames);
  options.latent_dim = settings.latent_dim;
  options.init_seed = settings.seed;
  options.validate();
  return options;
}

}  // namespace mh::model
