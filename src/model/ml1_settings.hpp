#pragma once
/// User-facing ML1 settings (the [ml1] table of the agent settings) and the model options they
/// select.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "model/augment.hpp"
#include "model/conv_vae.hpp"

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::model {

struct Ml1Settings {
  // The notes preset and the L1 loss kept 3–4× more of the notes of unseen music than fast and
  // MSE (docs/ml1_quality.md).
  std::string preset = "notes";           ///< "notes" (default), "fast" or "seed" (the original model)
  int latent_dim = 128;
  // The loss weight, learning rate and batch size were the original's 1e6, 5e-4 and 32; these
  // defaults gave the lowest error and the highest listening ratios on unseen music
  // (docs/ml1_quality.md). The original's values still apply to a run whose file names them.
  double reconstruction_weight = 1e7;     ///< w in total = w · reconstruction + KL
  std::string loss = "l1";                ///< reconstruction term: "l1" or "mse" (vae_loss.hpp)
  double learning_rate = 2e-3;            ///< Adam, after the warm-up
  int batch_size = 16;
  int epochs = 40;
  double validation_fraction = 0.1;       ///< share of songs held out (used by the dataset split)
  uint64_t seed = 0;                      ///< initialisation, shuffling, sampling and augmentation
  /// Augmentation of the training snippets (model/augment.hpp): a random roll along time and a
  /// random shift of up to ±augment_mel_shift mel bands per snippet. Runs saved before these
  /// settings existed read as off.
  /// Off by default: within 30 epochs it slowed learning more than it helped on unseen music.
  bool augment_time_roll = false;
  int augment_mel_shift = 0;              ///< [0, 16]
  /// The learning rate rises linearly over the run's first warmup_steps optimizer steps: Adam's
  /// first full-size steps moved all 4096 inputs of the latent layers at once and sent the KL
  /// term to ~10^6 (runs saved before this setting existed read as 0).
  int warmup_steps = 200;                 ///< [0, 1000000]
  /// After the warm-up the learning rate follows half a cosine from learning_rate down to
  /// learning_rate · lr_final_fraction over the first lr_decay_epochs epochs, and stays there:
  /// a falling rate lets the last epochs settle on sharp notes instead of circling them, and
  /// dreams, which continue the epoch count, fine-tune at the low rate. 0 epochs: no decay (runs
  /// saved before these settings existed).
  int lr_decay_epochs = 40;               ///< [0, 100000]
  double lr_final_fraction = 0.05;        ///< [0, 1]

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
  nlohmann::json to_json() const;
  /// Throws SettingsError when a field is missing or of the wrong type.
  static Ml1Settings from_json(const nlohmann::json& j);
};

/// The fields of the [ml1] table of agent.toml: name, meaning and allowed values. Checkpoints
/// hold these and validation_fraction.
const std::vector<Field<Ml1Settings>>& ml1_fields();

/// The augmentation the settings ask for.
Augmentation augmentation_of(const Ml1Settings& settings);

/// The preset's architecture for [1, n_mels, frames] snippets, with the settings' latent size
/// and seed. Throws SettingsError.
ConvVaeOptions options_for(const Ml1Settings& settings, int n_mels, int frames);

}  // namespace mh::model
