#pragma once
/// User-facing ML2 settings (the [ml2] table of the agent settings).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::model {

struct Ml2Settings {
  std::string preset = "sequence";  ///< "sequence" (GRU sequence VAE, default) or "dense" (the original)
  int latent_dim = 32;              ///< song latent size (the original dense model's last version used 2)
  int hidden = 256;                 ///< GRU width of the sequence preset (the dense preset is fixed at 128, 64)
  int max_length = 512;             ///< longest order in snippets (the dense preset's input length)
  double learning_rate = 1e-3;      ///< Adam
  int batch_size = 16;              ///< songs per batch
  int epochs = 50;
  double kl_weight = 1e-3;          ///< total = MSE + stop_weight · stop BCE + kl_weight · KL (sequence only)
  double stop_weight = 1.0;
  double validation_fraction = 0.1; ///< share of songs held out (used by the caller's split)
  uint64_t seed = 0;                ///< initialisation, shuffling and sampling

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
  nlohmann::json to_json() const;
  /// Throws SettingsError when a field is missing or of the wrong type.
  static Ml2Settings from_json(const nlohmann::json& j);
};

/// The fields of the [ml2] table of agent.toml and of a checkpoint's settings: name, meaning and
/// allowed values.
const std::vector<Field<Ml2Settings>>& ml2_fields();

}  // namespace mh::model
