#pragma once
/// Mel scales and the mel filterbank, computed with librosa's arithmetic in float64
/// (ref: librosa 0.11.0 `librosa.filters.mel`, `librosa.hz_to_mel`, `librosa.mel_to_hz`).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mh::dsp {

/// Which Hz↔mel formula: Slaney (linear below 1 kHz, logarithmic above; librosa's default) or
/// HTK (2595·log10(1 + f/700)).
enum class MelScale { kSlaney, kHtk };
/// Filter normalisation: Slaney ("constant area": each triangle scaled by 2/(f_hi − f_lo)) or
/// none (peak-1 triangles).
enum class MelNorm { kSlaney, kNone };

/// Hz → mel (ref: librosa.hz_to_mel). Negative inputs follow the formula (no clamping).
double hz_to_mel(double hz, MelScale s);
/// mel → Hz (ref: librosa.mel_to_hz); the exact inverse of hz_to_mel.
double mel_to_hz(double mel, MelScale s);

/// `count` frequencies in Hz evenly spaced on the mel scale from fmin to fmax inclusive
/// (ref: librosa.mel_frequencies, numpy.linspace arithmetic).
std::vector<double> mel_frequencies(int count, double fmin_hz, double fmax_hz, MelScale s);
/// The n_fft/2+1 bin centre frequencies in Hz of a one-sided FFT (ref: numpy.fft.rfftfreq).
std::vector<double> fft_frequencies(int sample_rate_hz, int n_fft);

/// Mel filterbank with librosa.filters.mel's arithmetic in float64: a kFloat64 tensor
/// [n_mels, n_fft/2+1]; mel power = filterbank · |STFT|². Bands above Nyquist (fmax > sr/2)
/// are all-zero rows, as in librosa. Throws SettingsError for sample_rate_hz < 1, n_fft < 2,
/// n_mels < 1, fmin_hz < 0 or fmax_hz <= fmin_hz.
torch::Tensor mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz, double fmax_hz,
                             MelScale scale = MelScale::kSlaney, MelNorm norm = MelNorm::kSlaney);

/// The non-zero support of each row of a filterbank: row m is non-zero only on bins
/// [first[m], first[m] + count[m]). Each Slaney/HTK triangle covers one contiguous bin range,
/// so a filterbank can be applied as a banded product. Empty rows have count 0.
struct BandSupport {
  std::vector<int64_t> first;
  std::vector<int64_t> count;
};
/// Support of every row of a 2-D filterbank [n_mels, n_freqs] (any floating dtype, any device):
/// from the row's first to its last non-zero bin (zeros inside the range are kept as weights).
/// Throws ShapeError when the tensor is not 2-D.
BandSupport band_support(const torch::Tensor& filterbank);

}  // namespace mh::dsp
