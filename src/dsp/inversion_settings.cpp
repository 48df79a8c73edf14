#include "dsp/inversion_settings.hpp"

#include "core/check.hpp"
#include "core/settings_fields.hpp"

namespace mh::dsp {

const FieldTable<InversionSettings>& voice_fields() {
  using S = InversionSettings;
  static const FieldTable<S> table{
      {"griffin_lim_iterations", "Griffin-Lim iterations per snippet", &S::griffin_lim_iterations, 0, 10000},
      {"momentum", "fast Griffin-Lim momentum", &S::momentum, 0, 9.999},
      {"init", "initial phase (random: the original's; zero: deterministic)",
       enum_words(&S::init, {{S::Init::kRandom, "random"}, {S::Init::kZero, "zero"}})},
      {"clip_db", "mel dB above this are clipped before inversion", &S::clip_db, -100, 200},
      {"crossfade_samples", "equal-power crossfade between snippets, in samples", &S::crossfade_samples, 0, 1 << 20},
      {"mel_inverse", "mel power to linear power (pinv: truncated pseudo-inverse; nnls: non-negative least squares)",
       enum_words(&S::method, {{S::MelInverse::kPseudoInverse, "pinv"}, {S::MelInverse::kNnls, "nnls"}})},
      {"nnls_iterations", "projected-gradient steps of the NNLS", &S::nnls_iterations, 0, 100000},
      {"pinv_rcond", "singular values below this share of the largest are left out of the pseudo-inverse",
       &S::pinv_rcond, 0, 1, Open::kBoth},
  };
  return table;
}

void InversionSettings::validate() const {
  validate_fields(voice_fields(), *this, "voice.");
  // Not a key of [voice]: settings files have never held it, and the keys written stay as they were.
  check_range("voice.nnls_warm_start_iterations", nnls_warm_start_iterations, 0, 100000);
}

}  // namespace mh::dsp
