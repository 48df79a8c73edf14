#include "dsp/snippets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/parallel.hpp"

namespace mh::dsp {
namespace {

torch::Tensor mono_float32(const torch::Tensor& signal, const char* what) {
  if (signal.dim() != 1) {
    throw ShapeError(fmt::format("{}: got shape [{}], expected [samples]", what, fmt::join(signal.sizes(), ", ")));
  }
  return signal.to(torch::kCPU, torch::kFloat32).contiguous();
}

double sum_of_squares(const float* x, int64_t n) {
  // Four independent sums: one running sum is a chain of dependent additions, four times slower.
  double acc[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int j = 0; j < 4; ++j) acc[j] += static_cast<double>(x[i + j]) * x[i + j];
  }
  for (; i < n; ++i) acc[0] += static_cast<double>(x[i]) * x[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// A pass over fewer samples than this per thread is not worth starting the thread.
constexpr int64_t kSamplesPerWorker = int64_t{1} << 16;

// The windows of `x` whose mean square reaches the threshold, as [start, length) pairs.
std::vector<std::pair<int64_t, int64_t>> loud_windows(const float* x, int64_t n, int64_t window_samples,
                                                      double threshold_dbfs) {
  check_min<int64_t>("remove_silence.window_samples", window_samples, 1);
  if (std::isnan(threshold_dbfs)) {
    throw SettingsError("remove_silence.threshold_dbfs = nan is out of range: must be a number");
  }
  // Compare mean squares instead of taking logs: RMS < 10^(dB/20) ⟺ Σx²/N < 10^(dB/10).
  const double threshold_mean_square = std::pow(10.0, threshold_dbfs / 10.0);
  const int64_t n_windows = (n + window_samples - 1) / window_samples;
  std::vector<char> loud(static_cast<size_t>(n_windows));
  run_shares(n_windows, intra_op_workers(n, kSamplesPerWorker), [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t w = begin; w < end; ++w) {
      const int64_t start = w * window_samples;
      const int64_t len = std::min(window_samples, n - start);
      loud[static_cast<size_t>(w)] = !(sum_of_squares(x + start, len) / static_cast<double>(len) < threshold_mean_square);
    }
  });
  std::vector<std::pair<int64_t, int64_t>> kept;
  for (int64_t w = 0; w < n_windows; ++w) {
    const int64_t start = w * window_samples;
    if (loud[static_cast<size_t>(w)]) kept.emplace_back(start, std::min(window_samples, n - start));
  }
  return kept;
}

// Copies the windows one after another into `dst`.
void copy_windows(const float* x, const std::vector<std::pair<int64_t, int64_t>>& windows, float* dst) {
  std::vector<int64_t> offsets(windows.size() + 1, 0);
  for (size_t i = 0; i < windows.size(); ++i) offsets[i + 1] = offsets[i] + windows[i].second;
  const int64_t workers = intra_op_workers(offsets.back(), kSamplesPerWorker);
  run_shares(static_cast<int64_t>(windows.size()), workers, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const auto& [start, len] = windows[static_cast<size_t>(i)];
      std::copy(x + start, x + start + len, dst + offsets[static_cast<size_t>(i)]);
    }
  });
}

int64_t total_length(const std::vector<std::pair<int64_t, int64_t>>& windows) {
  int64_t total = 0;
  for (const auto& w : windows) total += w.second;
  return total;
}

}  // namespace

double rms_dbfs(const torch::Tensor& signal) {
  const auto x = signal.detach().reshape({-1}).to(torch::kCPU, torch::kFloat64);
  if (x.numel() == 0) return -std::numeric_limits<double>::infinity();
  const double mean_square = x.square().mean().item<double>();
  return 10.0 * std::log10(mean_square);  // = 20·log10(√mean_square); log10(0) = −inf
}

torch::Tensor remove_silence(const torch::Tensor& signal, int64_t window_samples, double threshold_dbfs) {
  const auto x = mono_float32(signal, "remove_silence");
  const auto windows = loud_windows(x.data_ptr<float>(), x.numel(), window_samples, threshold_dbfs);
  auto out = torch::empty({total_length(windows)}, torch::kFloat32);
  copy_windows(x.data_ptr<float>(), windows, out.data_ptr<float>());
  return out;
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

torch::Tensor cut_at(const torch::Tensor& signal, const std::vector<int64_t>& starts, int64_t snippet_samples) {
  check_min<int64_t>("cut_at.snippet_samples", snippet_samples, 1);
  const auto x = mono_float32(signal, "cut_at");
  const int64_t n = x.numel();
  auto out = torch::zeros({static_cast<int64_t>(starts.size()), snippet_samples}, torch::kFloat32);
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t from = std::max<int64_t>(starts[i], 0);
    const int64_t to = std::min(n, starts[i] + snippet_samples);
    if (to > from) out[static_cast<int64_t>(i)].narrow(0, from - starts[i], to - from).copy_(x.narrow(0, from, to - from));
  }
  return out;
}

torch::Tensor cut_snippets_without_silence(const torch::Tensor& signal, int64_t window_samples,
                                           double threshold_dbfs, int64_t snippet_samples) {
  check_min<int64_t>("cut_snippets.snippet_samples", snippet_samples, 1);
  const auto x = mono_float32(signal, "cut_snippets_without_silence");
  const auto windows = loud_windows(x.data_ptr<float>(), x.numel(), window_samples, threshold_dbfs);
  const int64_t n = total_length(windows);
  const int64_t count = (n + snippet_samples - 1) / snippet_samples;
  auto out = torch::empty({count, snippet_samples}, torch::kFloat32);
  float* dst = out.data_ptr<float>();
  copy_windows(x.data_ptr<float>(), windows, dst);
  std::fill(dst + n, dst + count * snippet_samples, 0.0f);
  return out;
}

}  // namespace mh::dsp
