#include "dsp/hpss.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/parallel.hpp"

namespace mh::dsp {
namespace {

void check_odd(const std::string& field, int value) {
  check_range(field, value, 1, 1023);
  if (value % 2 == 0) throw SettingsError(fmt::format("{} = {} must be odd: allowed 1, 3, 5, ... 1023", field, value));
}

/// Index into [0, n) of position j under reflection about the edges (scipy 'reflect':
/// d c b a | a b c d | d c b a), repeated with period 2n so windows may exceed the row.
int64_t reflect(int64_t j, int64_t n) {
  int64_t m = j % (2 * n);
  if (m < 0) m += 2 * n;
  return m < n ? m : 2 * n - 1 - m;
}

/// Median along the last dimension of a contiguous float32 CPU [rows, cols]. A sorted copy of
/// the window slides along each row (one removal and one insertion per step), which costs far
/// less than selecting the median of every window afresh; rows run in parallel.
torch::Tensor median_last_dim(const torch::Tensor& x, int64_t window) {
  const int64_t rows = x.size(0);
  const int64_t cols = x.size(1);
  const int64_t half = window / 2;
  auto out = torch::empty({rows, cols}, x.options());
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  run_shares(rows, intra_op_workers(rows), [&](int64_t, int64_t r0, int64_t r1) {
    std::vector<float> padded(static_cast<std::size_t>(cols + 2 * half));
    std::vector<float> sorted(static_cast<std::size_t>(window));
    for (int64_t r = r0; r < r1; ++r) {
      const float* row = src + r * cols;
      float* o = dst + r * cols;
      for (int64_t j = 0; j < cols + 2 * half; ++j) padded[static_cast<std::size_t>(j)] = row[reflect(j - half, cols)];
      std::copy(padded.begin(), padded.begin() + window, sorted.begin());
      std::sort(sorted.begin(), sorted.end());
      o[0] = sorted[static_cast<std::size_t>(half)];
      for (int64_t i = 1; i < cols; ++i) {
        const float leaving = padded[static_cast<std::size_t>(i - 1)];
        const float entering = padded[static_cast<std::size_t>(i + window - 1)];
        if (leaving != entering) {
          sorted.erase(std::lower_bound(sorted.begin(), sorted.end(), leaving));
          sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), entering), entering);
        }
        o[i] = sorted[static_cast<std::size_t>(half)];
      }
    }
  });
  return out;
}

/// librosa.util.softmask: x^p / (x^p + ref^p), computed relative to max(x, ref) so that large
/// values cannot overflow; cells where both are below the smallest normal float get `zero_value`.
torch::Tensor softmask(const torch::Tensor& x, const torch::Tensor& ref, double power, double zero_value) {
  const auto z = torch::maximum(x, ref);
  const auto bad = z < std::numeric_limits<float>::min();
  const auto zs = torch::where(bad, torch::ones_like(z), z);
  const auto a = (x / zs).pow(power);
  const auto b = (ref / zs).pow(power);
  return torch::where(bad, torch::full_like(z, zero_value), a / (a + b));
}

torch::Tensor check_signal(const torch::Tensor& signal, const HpssSettings& s) {
  s.validate();
  if (signal.dim() != 1 || signal.numel() < 1) {
    throw ShapeError(fmt::format("hpss: signal: got [{}], expected [samples >= 1]", fmt::join(signal.sizes(), ", ")));
  }
  return signal.to(torch::kFloat32);
}

torch::Tensor separate(const torch::Tensor& signal, const HpssSettings& s, bool want_harmonic) {
  const auto x = check_signal(signal, s);
  const auto spec = stft(x, s.stft);
  const auto masks = hpss_masks(torch::abs(spec), s);
  const auto& mask = want_harmonic ? masks.harmonic : masks.percussive;
  return istft(spec * mask, s.stft, x.numel());
}

}  // namespace

void HpssSettings::validate() const {
  stft.validate();
  check_odd("hpss.kernel_harmonic", kernel_harmonic);
  check_odd("hpss.kernel_percussive", kernel_percussive);
  check_range("hpss.power", power, 0.1, 100.0);
  check_range("hpss.margin_harmonic", margin_harmonic, 1.0, 100.0);
  check_range("hpss.margin_percussive", margin_percussive, 1.0, 100.0);
}

torch::Tensor median_filter(const torch::Tensor& x, int64_t window, int64_t dim) {
  if (x.dim() != 2) {
    throw ShapeError(fmt::format("median_filter: got [{}], expected [rows, cols]", fmt::join(x.sizes(), ", ")));
  }
  if (window < 1 || window % 2 == 0) {
    throw SettingsError(fmt::format("median_filter: window = {} must be odd and >= 1", window));
  }
  if (dim != 0 && dim != 1) throw ShapeError(fmt::format("median_filter: dim = {}, expected 0 or 1", dim));
  if (x.numel() == 0 || window == 1) return x.clone();
  const auto cpu = x.to(torch::kCPU, torch::kFloat32);
  const auto filtered = dim == 1 ? median_last_dim(cpu.contiguous(), window)
                                 : median_last_dim(cpu.t().contiguous(), window).t().contiguous();
  return filtered.to(x.device(), x.scalar_type());
}

HpssMasks hpss_masks(const torch::Tensor& magnitude, const HpssSettings& s) {
  s.validate();
  if (magnitude.dim() != 2) {
    throw ShapeError(fmt::format("hpss: magnitude: got [{}], expected [freqs, frames]", fmt::join(magnitude.sizes(), ", ")));
  }
  const auto mag = magnitude.to(torch::kFloat32);
  const auto harm = median_filter(mag, s.kernel_harmonic, 1);    // steady along time
  const auto perc = median_filter(mag, s.kernel_percussive, 0);  // broadband along frequency
  // librosa splits silent cells evenly only when neither margin leaves a residual.
  const double zero_value = (s.margin_harmonic == 1.0 && s.margin_percussive == 1.0) ? 0.5 : 0.0;
  return {softmask(harm, perc * s.margin_harmonic, s.power, zero_value),
          softmask(perc, harm * s.margin_percussive, s.power, zero_value)};
}

torch::Tensor harmonic(const torch::Tensor& signal, const HpssSettings& s) { return separate(signal, s, true); }

torch::Tensor percussive(const torch::Tensor& signal, const HpssSettings& s) { return separate(signal, s, false); }

torch::Tensor stem(const torch::Tensor& signal, Stem which, const HpssSettings& s) {
  switch (which) {
    case Stem::kHarmonic: return harmonic(signal, s);
    case Stem::kPercussive: return percussive(signal, s);
    case Stem::kAll: break;
  }
  return signal;
}

}  // namespace mh::dsp
