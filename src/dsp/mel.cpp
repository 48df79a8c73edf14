#include "dsp/mel.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::dsp {
namespace {

// ref: librosa.hz_to_mel / mel_to_hz (Slaney's Auditory Toolbox constants).
constexpr double kSlaneyFMin = 0.0;
constexpr double kSlaneyFSp = 200.0 / 3;
constexpr double kSlaneyMinLogHz = 1000.0;
constexpr double kSlaneyMinLogMel = (kSlaneyMinLogHz - kSlaneyFMin) / kSlaneyFSp;
const double kSlaneyLogStep = std::log(6.4) / 27.0;

// ref: numpy.linspace (start + i·step, the last point exactly `stop`).
std::vector<double> linspace(double start, double stop, int num) {
  std::vector<double> y(static_cast<size_t>(num));
  if (num == 1) {
    y[0] = start;
    return y;
  }
  const double step = (stop - start) / (num - 1);
  for (int i = 0; i < num; ++i) y[static_cast<size_t>(i)] = i * step + start;
  y.back() = stop;
  return y;
}

}  // namespace

double hz_to_mel(double hz, MelScale s) {
  if (s == MelScale::kHtk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz >= kSlaneyMinLogHz) return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / kSlaneyLogStep;
  return (hz - kSlaneyFMin) / kSlaneyFSp;
}

double mel_to_hz(double mel, MelScale s) {
  if (s == MelScale::kHtk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel >= kSlaneyMinLogMel) return kSlaneyMinLogHz * std::exp(kSlaneyLogStep * (mel - kSlaneyMinLogMel));
  return kSlaneyFMin + kSlaneyFSp * mel;
}

std::vector<double> mel_frequencies(int count, double fmin_hz, double fmax_hz, MelScale s) {
  check_min("mel_frequencies.count", count, 1);
  auto mels = linspace(hz_to_mel(fmin_hz, s), hz_to_mel(fmax_hz, s), count);
  for (auto& m : mels) m = mel_to_hz(m, s);
  return mels;
}

std::vector<double> fft_frequencies(int sample_rate_hz, int n_fft) {
  check_min("fft_frequencies.sample_rate_hz", sample_rate_hz, 1);
  check_min("fft_frequencies.n_fft", n_fft, 1);
  // ref: numpy.fft.rfftfreq(n, d=1/sr): i · (1 / (n·d)).
  const double d = 1.0 / sample_rate_hz;
  const double val = 1.0 / (n_fft * d);
  std::vector<double> f(static_cast<size_t>(n_fft / 2 + 1));
  for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<double>(i) * val;
  return f;
}

torch::Tensor mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz, double fmax_hz,
                             MelScale scale, MelNorm norm) {
  check_min("mel_filterbank.sample_rate_hz", sample_rate_hz, 1);
  check_min("mel_filterbank.n_fft", n_fft, 2);
  check_min("mel_filterbank.n_mels", n_mels, 1);
  check_min("mel_filterbank.fmin_hz", fmin_hz, 0.0);
  if (!(fmax_hz > fmin_hz)) {
    throw SettingsError(fmt::format("mel_filterbank.fmax_hz = {} is out of range: must be above fmin_hz = {}",
                                    fmax_hz, fmin_hz));
  }
  const auto fft_f = fft_frequencies(sample_rate_hz, n_fft);
  const auto mel_f = mel_frequencies(n_mels + 2, fmin_hz, fmax_hz, scale);
  const int64_t n_freqs = static_cast<int64_t>(fft_f.size());
  auto weights = torch::zeros({n_mels, n_freqs}, torch::kFloat64);
  auto w = weights.accessor<double, 2>();
  // ref: librosa.filters.mel: lower and upper slopes in Hz, the triangle is their positive minimum.
  for (int i = 0; i < n_mels; ++i) {
    const double fdiff_lo = mel_f[i + 1] - mel_f[i];
    const double fdiff_hi = mel_f[i + 2] - mel_f[i + 1];
    const double enorm = norm == MelNorm::kSlaney ? 2.0 / (mel_f[i + 2] - mel_f[i]) : 1.0;
    for (int64_t k = 0; k < n_freqs; ++k) {
      const double lower = -(mel_f[i] - fft_f[k]) / fdiff_lo;
      const double upper = (mel_f[i + 2] - fft_f[k]) / fdiff_hi;
      const double v = std::max(0.0, std::min(lower, upper));
      w[i][k] = norm == MelNorm::kSlaney ? v * enorm : v;
    }
  }
  return weights;
}

BandSupport band_support(const torch::Tensor& filterbank) {
  if (filterbank.dim() != 2) {
    throw ShapeError(fmt::format("band_support: got {} dimensions, expected [n_mels, n_freqs]", filterbank.dim()));
  }
  const auto fb = filterbank.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const auto a = fb.accessor<double, 2>();
  BandSupport out;
  for (int64_t m = 0; m < fb.size(0); ++m) {
    int64_t first = -1, last = -1;
    for (int64_t k = 0; k < fb.size(1); ++k) {
      if (a[m][k] != 0.0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    out.first.push_back(first < 0 ? 0 : first);
    out.count.push_back(first < 0 ? 0 : last - first + 1);
  }
  return out;
}

}  // namespace mh::dsp
