#include "dsp/snippets.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::dsp {
namespace {

torch::Tensor mono_float32(const torch::Tensor& signal, const char* what) {
  if (signal.dim() != 1) {
    throw ShapeError(fmt::format("{}: got shape [{}], expected [samples]", what, fmt::join(signal.sizes(), ", ")));
  }
  return signal.to(torch::kCPU, torch::kFloat32).contiguous();
}

double sum_of_squares(const float* x, int64_t n) {
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]) * x[i];
  return acc;
}

}  // namespace

double rms_dbfs(const torch::Tensor& signal) {
  const auto x = signal.detach().reshape({-1}).to(torch::kCPU, torch::kFloat64);
  if (x.numel() == 0) return -std::numeric_limits<double>::infinity();
  const double mean_square = x.square().mean().item<double>();
  return 10.0 * std::log10(mean_square);  // = 20·log10(√mean_square); log10(0) = −inf
}

torch::Tensor remove_silence(const torch::Tensor& signal, int64_t window_samples, double threshold_dbfs) {
  check_min<int64_t>("remove_silence.window_samples", window_samples, 1);
  if (std::isnan(threshold_dbfs)) {
    throw SettingsError("remove_silence.threshold_dbfs = nan is out of range: must be a number");
  }
  const auto x = mono_float32(signal, "remove_silence");
  const int64_t n = x.numel();
  const float* data = x.data_ptr<float>();
  // Compare mean squares instead of taking logs: RMS < 10^(dB/20) ⟺ Σx²/N < 10^(dB/10).
  const double threshold_mean_square = std::pow(10.0, threshold_dbfs / 10.0);
  auto out = torch::empty({n}, torch::kFloat32);
  float* dst = out.data_ptr<float>();
  int64_t kept = 0;
  for (int64_t start = 0; start < n; start += window_samples) {
    const int64_t len = std::min(window_samples, n - start);
    const double mean_square = sum_of_squares(data + start, len) / static_cast<double>(len);
    if (mean_square < threshold_mean_square) continue;
    std::copy(data + start, data + start + len, dst + kept);
    kept += len;
  }
  return out.narrow(0, 0, kept).clone();
}

torch::Tensor cut_snippets(const torch::Tensor& signal, int64_t snippet_samples) {
  check_min<int64_t>("cut_snippets.snippet_samples", snippet_samples, 1);
  const auto x = mono_float32(signal, "cut_snippets");
  const int64_t n = x.numel();
  const int64_t count = (n + snippet_samples - 1) / snippet_samples;
  auto out = torch::zeros({count, snippet_samples}, torch::kFloat32);
  if (n > 0) out.view({-1}).narrow(0, 0, n).copy_(x);
  return out;
}

}  // namespace mh::dsp

