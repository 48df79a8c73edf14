#include "dsp/quality.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"

namespace mh::dsp {
namespace {

torch::Tensor as_batch(const torch::Tensor& t, int64_t rank, const char* what) {
  if (t.dim() == rank) return t.unsqueeze(0);
  if (t.dim() == rank + 1) return t;
  throw ShapeError(fmt::format("{}: got {} dimensions, expected {} or {}", what, t.dim(), rank, rank + 1));
}

}  // namespace

double log_spectral_distance_db(const torch::Tensor& inverted, const torch::Tensor& original, const StftSettings& stft) {
  torch::NoGradGuard no_grad;
  const auto a = as_batch(inverted, 1, "log_spectral_distance_db: inverted");
  const auto b = as_batch(original, 1, "log_spectral_distance_db: original").to(a.device());
  const int64_t n = std::min(a.size(0), b.size(0));
  const int64_t samples = std::min(a.size(1), b.size(1));
  if (n == 0 || samples == 0) {
    throw ShapeError(fmt::format("log_spectral_distance_db: got [{}, {}] and [{}, {}], expected overlapping snippets",
                                 a.size(0), a.size(1), b.size(0), b.size(1)));
  }
  const auto mag_a = dsp::stft(a.narrow(0, 0, n).narrow(1, 0, samples), stft).abs();
  const auto mag_b = dsp::stft(b.narrow(0, 0, n).narrow(1, 0, samples), stft).abs();
  // 80 dB below each original snippet's peak, as the reference measure.
  const auto floor = std::get<0>(mag_b.flatten(1).max(1)).clamp_min(1e-8).mul(1e-4).view({n, 1, 1});
  const auto db_a = 20.0 * torch::log10(torch::max(mag_a, floor));
  const auto db_b = 20.0 * torch::log10(torch::max(mag_b, floor));
  const auto per_snippet = (db_a - db_b).square().flatten(1).mean(1).sqrt();
  return per_snippet.to(torch::kFloat64).mean().item<double>();
}

double spectral_convergence(const torch::Tensor& signal, const torch::Tensor& target_magnitude, const StftSettings& stft) {
  torch::NoGradGuard no_grad;
  const auto y = as_batch(signal, 1, "spectral_convergence: signal");
  const auto s = as_batch(target_magnitude, 2, "spectral_convergence: target").to(y.device(), torch::kFloat64);
  if (y.size(0) != s.size(0) || s.size(1) != stft.n_freqs()) {
    throw ShapeError(fmt::format("spectral_convergence: got signal batch {} and target [{}, {}, {}], expected [{}, {}, frames]",
                                 y.size(0), s.size(0), s.size(1), s.size(2), y.size(0), stft.n_freqs()));
  }
  const auto mag = dsp::stft(y, stft).abs().to(torch::kFloat64);
  const int64_t frames = std::min(mag.size(2), s.size(2));
  const auto target = s.narrow(2, 0, frames);
  const double denominator = target.norm().item<double>();
  const double numerator = (target - mag.narrow(2, 0, frames)).norm().item<double>();
  if (denominator == 0.0) return numerator == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return numerator / denominator;
}

}  // namespace mh::dsp
