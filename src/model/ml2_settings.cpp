#include "model/ml2_settings.hpp"

#include "core/settings_fields.hpp"

namespace mh::model {

const FieldTable<Ml2Settings>& ml2_fields() {
  using S = Ml2Settings;
  static const FieldTable<S> table{
      {"preset", "model (sequence: GRU sequence VAE; dense: the original)",
       one_of(&S::preset, {"sequence", "dense"})},
      {"latent_dim", "song latent size", &S::latent_dim, 1, 1024},
      {"hidden", "GRU width of the sequence preset", &S::hidden, 1, 8192},
      {"max_length", "longest song order in snippets", &S::max_length, 1, 100000},
      {"learning_rate", "Adam's learning rate", &S::learning_rate, 1e-8, 1},
      {"batch_size", "songs per batch", &S::batch_size, 1, 4096},
      {"epochs", "passes through the training songs", &S::epochs, 1, 100000},
      {"kl_weight", "weight of the KL term (sequence preset)", &S::kl_weight, 0, 1e6},
      {"stop_weight", "weight of the stop term (sequence preset)", &S::stop_weight, 0, 1e6},
      {"validation_fraction", "share of songs held out", &S::validation_fraction, 0, 0.9},
      {"seed", "initialisation, shuffling and sampling", &S::seed},
  };
  return table;
}

void Ml2Settings::validate() const { validate_fields(ml2_fields(), *this, "ml2."); }

nlohmann::json Ml2Settings::to_json() const { return fields_to_json(ml2_fields(), *this); }

Ml2Settings Ml2Settings::from_json(const nlohmann::json& j) {
  Ml2Settings s;
  fields_from_json(ml2_fields(), j, s, "ml2.");
  return s;
}

}  // namespace mh::model
