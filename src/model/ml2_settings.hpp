#pragma once
/// User-facing ML2 settings (the [ml2] table of the agent settings).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::model {

struct Ml2Settings {
  /// "autoregressive" (next-step GRU, default), "sequence" (GRU sequence VAE) or "dense" (the
  /// original)
  std::string preset = "autoregressive";
  int latent_dim = 32;              ///< song latent size (sequence, dense; the dense model's last version used 2)
  /// GRU width of the autoregressive and sequence presets (dense: fixed 128, 64). 64 since the
  /// autoregressive preset became the default (a wider one fits the few songs too closely and
  /// composes too still); the sequence preset's earlier default was 256.
  int hidden = 64;
  int max_length = 512;             ///< longest order in snippets (the dense preset's input length)
  double learning_rate = 1e-3;      ///< Adam
  int batch_size = 16;              ///< songs per batch
  int epochs = 50;
  double kl_weight = 1e-3;          ///< total = MSE + stop_weight · stop BCE + kl_weight · KL (sequence only)
  double stop_weight = 1.0;
  double validation_fraction = 0.1; ///< share of songs held out (used by the caller's split)
  uint64_t seed = 0;                ///< initialisation, shuffling and sampling
  // The autoregressive preset (docs/ml2_composing.md).
  int mixtures = 4;                 ///< Gaussian components of the next-step distribution
  int crops_per_song = 8;           ///< training windows drawn from each song of a batch
  int crop_min = 8;                 ///< shortest training window, in steps (a shorter song is taken whole)
  int crop_max = 64;                ///< longest training window, in steps (≥ crop_min)
  double input_noise = 0.5;         ///< std of the noise on teacher-forced inputs, normalised units
  double temperature = 1.0;         ///< sampling: component weights ∝ π^(1/τ), spread τ · σ

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
  nlohmann::json to_json() const;
  /// Throws SettingsError when a field is missing or of the wrong type. Fields added with the
  /// autoregressive preset take their defaults when absent (settings written before them).
  static Ml2Settings from_json(const nlohmann::json& j);
};

/// The fields of the [ml2] table of agent.toml and of a checkpoint's settings: name, meaning and
/// allowed values.
const std::vector<Field<Ml2Settings>>& ml2_fields();

}  // namespace mh::model
