#pragma once
/// User-facing ML1 settings (the [ml1] table of the agent settings) and the model options they
/// select.
#include <nlohmann/json.hpp>

#include <string>

#include "model/conv_vae.hpp"

namespace mh::model {

struct Ml1Settings {
  std::string preset = "fast";            ///< "fast" (default) or "seed" (the original model)
  int latent_dim = 128;
  double reconstruction_weight = 1e6;     ///< w in total = w · MSE + KL
  double learning_rate = 5e-4;            ///< Adam
  int batch_size = 32;
  int epochs = 30;
  double validation_fraction = 0.1;       ///< share of songs held out (used by the dataset split)
  uint64_t seed = 0;                      ///< initialisation, shuffling and sampling

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
  nlohmann::json to_json() const;
  /// Throws SettingsError when a field is missing or of the wrong type.
  static Ml1Settings from_json(const nlohmann::json& j);
};

/// The preset's architecture for [1, n_mels, frames] snippets, with the settings' latent size
/// and seed. Throws SettingsError.
ConvVaeOptions options_for(const Ml1Settings& settings, int n_mels, int frames);

}  // namespace mh::model
