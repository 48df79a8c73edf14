#include "model/ml2_settings.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "core/settings_fields.hpp"

namespace mh::model {

const FieldTable<Ml2Settings>& ml2_fields() {
  using S = Ml2Settings;
  static const FieldTable<S> table{
      {"preset", "model (autoregressive: next-step GRU; sequence: GRU sequence VAE; dense: the original)",
       one_of(&S::preset, {"autoregressive", "sequence", "dense"})},
      {"latent_dim", "song latent size (sequence, dense)", &S::latent_dim, 1, 1024},
      {"hidden", "GRU width of the sequence and autoregressive presets", &S::hidden, 1, 8192},
      {"max_length", "longest song order in snippets", &S::max_length, 1, 100000},
      {"learning_rate", "Adam's learning rate", &S::learning_rate, 1e-8, 1},
      {"batch_size", "songs per batch", &S::batch_size, 1, 4096},
      {"epochs", "passes through the training songs", &S::epochs, 1, 100000},
      {"kl_weight", "weight of the KL term (sequence preset)", &S::kl_weight, 0, 1e6},
      {"stop_weight", "weight of the stop term (sequence preset)", &S::stop_weight, 0, 1e6},
      {"validation_fraction", "share of songs held out", &S::validation_fraction, 0, 0.9},
      {"seed", "initialisation, shuffling and sampling", &S::seed},
      {"mixtures", "Gaussian components of the next step (autoregressive preset)", &S::mixtures, 1, 64},
      {"crops_per_song", "training windows per song of a batch (autoregressive preset)", &S::crops_per_song, 1, 1024},
      {"crop_min", "shortest training window in steps (autoregressive preset)", &S::crop_min, 1, 100000},
      {"crop_max", "longest training window in steps, at least crop_min (autoregressive preset)", &S::crop_max},
      {"input_noise", "noise std on teacher-forced inputs, normalised units (autoregressive preset)",
       &S::input_noise, 0, 10},
      {"temperature", "sampling temperature (autoregressive preset)", &S::temperature, 0, 10, Open::kLo},
  };
  return table;
}

void Ml2Settings::validate() const {
  validate_fields(ml2_fields(), *this, "ml2.");
  if (crop_max < crop_min || crop_max > 100000) {
    throw SettingsError(
        fmt::format("ml2.crop_max = {} is out of range: allowed [ml2.crop_min = {}, 100000]", crop_max, crop_min));
  }
}

nlohmann::json Ml2Settings::to_json() const { return fields_to_json(ml2_fields(), *this); }

Ml2Settings Ml2Settings::from_json(const nlohmann::json& j) {
  // Checkpoints of the sequence and dense presets written before the autoregressive one lack its
  // fields; they never read them, so today's defaults stand in.
  const Ml2Settings d;
  const nlohmann::json legacy = {{"mixtures", d.mixtures},       {"crops_per_song", d.crops_per_song},
                                 {"crop_min", d.crop_min},       {"crop_max", d.crop_max},
                                 {"input_noise", d.input_noise}, {"temperature", d.temperature}};
  Ml2Settings s;
  fields_from_json(ml2_fields(), j, s, "ml2.", legacy);
  return s;
}

}  // namespace mh::model
