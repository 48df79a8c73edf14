#pragma once
/// Harmonic/percussive source separation by median filtering (ref: librosa 0.11.0
/// `librosa.decompose.hpss` and `librosa.effects.harmonic/percussive`): the STFT magnitude is
/// median-filtered along time (harmonic: steady partials survive) and along frequency
/// (percussive: broadband onsets survive); soft masks H^p / (H^p + (m·P)^p) split the complex
/// STFT, which is inverted back to a signal of the input's length. Pure functions on tensors.
#include <torch/torch.h>

#include "dsp/stft.hpp"

namespace mh::dsp {

/// Which part of a recording the front end sees.
enum class Stem { kAll, kHarmonic, kPercussive };

struct HpssSettings {
  StftSettings stft;             ///< analysis/synthesis STFT (the front end's by default)
  int kernel_harmonic = 31;      ///< median window along time in frames, odd, [1, 1023]
  int kernel_percussive = 31;    ///< median window along frequency in bins, odd, [1, 1023]
  double power = 2.0;            ///< soft-mask exponent, [0.1, 100]
  double margin_harmonic = 1.0;  ///< [1, 100]; > 1 leaves a residual out of the harmonic stem
  double margin_percussive = 1.0;///< [1, 100]

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// Median filter of a 2-D tensor [rows, cols] along `dim` (0 or 1) with an odd window, the
/// edges extended by reflection about the edge (scipy.ndimage.median_filter mode='reflect':
/// d c b a | a b c d | d c b a). Any floating dtype and device (computed in float32 on the CPU
/// with a sliding sorted window; NaN is not supported). Throws ShapeError when x is not 2-D,
/// SettingsError when the window is even or < 1.
torch::Tensor median_filter(const torch::Tensor& x, int64_t window, int64_t dim);

/// Soft masks for a complex spectrogram [freqs, frames]: {harmonic, percussive}, each float32
/// in [0, 1] (ref: librosa.util.softmask with split_zeros=False: 0 where both parts are ~0).
struct HpssMasks {
  torch::Tensor harmonic;
  torch::Tensor percussive;
};
HpssMasks hpss_masks(const torch::Tensor& magnitude, const HpssSettings& s);

/// Harmonic / percussive stem of a mono signal [samples] (float32, any length >= 1): same length
/// as the input. Throws ShapeError for another rank, SettingsError for bad settings.
torch::Tensor harmonic(const torch::Tensor& signal, const HpssSettings& s = {});
torch::Tensor percussive(const torch::Tensor& signal, const HpssSettings& s = {});
/// The signal itself (kAll) or one of its stems.
torch::Tensor stem(const torch::Tensor& signal, Stem which, const HpssSettings& s = {});

}  // namespace mh::dsp
