#pragma once
/// Settings of the voice path: mel power → linear magnitude → Griffin-Lim → trimmed, crossfaded audio.
/// Defaults reproduce the original system (32 iterations, momentum 0.99, random phase, +20 dB
/// clip, 820-sample crossfades); the mel inversion defaults to a fast batched NNLS.
#include <vector>

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::dsp {

struct InversionSettings {
  /// How the initial phase of Griffin-Lim is chosen.
  enum class Init {
    kRandom,  ///< uniform on the circle, from the generator passed in (the original's choice)
    kZero     ///< phase 0 everywhere: deterministic without a generator (librosa's init=None)
  };
  /// How mel power becomes linear power.
  enum class MelInverse {
    kPseudoInverse,  ///< truncated pseudo-inverse, negative values clipped to 0 (librosa's start)
    kNnls            ///< multiplicative warm start, then accelerated projected-gradient NNLS
  };

  int griffin_lim_iterations = 32;  ///< [0, 10000]
  double momentum = 0.99;           ///< fast Griffin-Lim momentum, [0, 10)
  Init init = Init::kRandom;
  double clip_db = 20;              ///< mel dB above this are clipped before inversion, [-100, 200]
  int crossfade_samples = 820;      ///< equal-power crossfade between trimmed snippets, [0, 1<<20]
  MelInverse method = MelInverse::kNnls;
  int nnls_warm_start_iterations = 10;  ///< multiplicative steps before the NNLS (kNnls), [0, 100000]
  int nnls_iterations = 10;         ///< accelerated projected-gradient steps (kNnls), [0, 100000]
  /// Singular values below pinv_rcond × the largest are dropped from the pseudo-inverse: the
  /// Slaney filterbank has one tiny non-zero singular value (~1e-4 relative) whose inverse turns
  /// loud snippets into huge alternating values. (0, 1).
  double pinv_rcond = 1e-3;

  /// Throws SettingsError naming the field as the [voice] table spells it, the value and the
  /// allowed range.
  void validate() const;
};

/// The fields of the [voice] table: name, meaning and allowed values.
const std::vector<Field<InversionSettings>>& voice_fields();

}  // namespace mh::dsp
