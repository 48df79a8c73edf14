#include "model/ml1_settings.hpp"

#include "core/settings_fields.hpp"

namespace mh::model {

const FieldTable<Ml1Settings>& ml1_fields() {
  using S = Ml1Settings;
  static const FieldTable<S> table{
      {"preset", "architecture (seed: the original model)", one_of(&S::preset, {"notes", "fast", "seed"})},
      {"latent_dim", "latent size", &S::latent_dim, 1, 4096},
      {"reconstruction_weight", "w in loss = w · reconstruction + KL", &S::reconstruction_weight, 0, 1e12},
      {"loss", "reconstruction term: mean squared or mean absolute error", one_of(&S::loss, {"mse", "l1"})},
      {"learning_rate", "Adam's learning rate after the warm-up", &S::learning_rate, 1e-8, 1},
      {"batch_size", "snippets per batch", &S::batch_size, 1, 4096},
      {"epochs", "passes through the training snippets", &S::epochs, 1, 100000},
      {"seed", "initialisation, shuffling, sampling and augmentation", &S::seed},
      {"augment_time_roll", "roll each training snippet along time by a random amount", &S::augment_time_roll},
      {"augment_mel_shift", "shift each training snippet by up to this many mel bands", &S::augment_mel_shift, 0, 16},
      {"warmup_steps", "the learning rate rises linearly over this many first steps", &S::warmup_steps, 0, 1000000},
      {"lr_decay_epochs", "the learning rate falls along half a cosine over this many first epochs (0: constant)",
       &S::lr_decay_epochs, 0, 100000},
      {"lr_final_fraction", "share of learning_rate reached at the end of the decay and kept after it",
       &S::lr_final_fraction, 0, 1},
  };
  return table;
}

namespace {

/// Kept in checkpoints, not read from agent.toml (the split of songs is [ingest]'s).
const FieldTable<Ml1Settings>& ml1_checkpoint_fields() {
  static const FieldTable<Ml1Settings> table{
      {"validation_fraction", "share of songs held out", &Ml1Settings::validation_fraction, 0, 0.9},
  };
  return table;
}

}  // namespace

void Ml1Settings::validate() const {
  validate_fields(ml1_fields(), *this, "ml1.");
  validate_fields(ml1_checkpoint_fields(), *this, "ml1.");
}

nlohmann::json Ml1Settings::to_json() const {
  auto j = fields_to_json(ml1_fields(), *this);
  j.update(fields_to_json(ml1_checkpoint_fields(), *this));
  return j;
}

Ml1Settings Ml1Settings::from_json(const nlohmann::json& j) {
  Ml1Settings s;
  // Runs saved before these settings existed trained without them.
  const nlohmann::json legacy{{"augment_time_roll", false}, {"augment_mel_shift", 0}, {"warmup_steps", 0},
                               {"loss", "mse"}, {"lr_decay_epochs", 0}, {"lr_final_fraction", 1.0}};
  fields_from_json(ml1_fields(), j, s, "ml1.", legacy);
  fields_from_json(ml1_checkpoint_fields(), j, s, "ml1.");
  return s;
}

Augmentation augmentation_of(const Ml1Settings& settings) {
  return {settings.augment_time_roll, settings.augment_mel_shift};
}

ConvVaeOptions options_for(const Ml1Settings& settings, int n_mels, int frames) {
  settings.validate();
  auto options = ConvVaeOptions::preset(settings.preset, n_mels, frames, settings.latent_dim);
  options.init_seed = settings.seed;
  options.validate();
  return options;
}

}  // namespace mh::model
