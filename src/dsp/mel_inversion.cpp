#include "dsp/mel_inversion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/parallel.hpp"

namespace mh::dsp {
namespace {

// Mel power is at least 10^(−100/10) after denormalisation; this keeps the ratios finite for
// any input, including exact zeros.
constexpr double kFloorPower = 1e-30;

// Frames solved together on the CPU: the rows of a block's arrays are this many contiguous floats
// (vectorised loops), and the block's working set of a few hundred kB stays in cache.
constexpr int64_t kBlock = 32;

/// out [rows][kBlock] = a · in [columns][kBlock].
template <typename Rows>
void multiply(const Rows& a, const float* in, float* out) {
  const int64_t rows = static_cast<int64_t>(a.row_start.size()) - 1;
  for (int64_t r = 0; r < rows; ++r) {
    float acc[kBlock] = {};
    for (int64_t e = a.row_start[r]; e < a.row_start[r + 1]; ++e) {
      const float w = a.weight[e];
      const float* x = in + static_cast<int64_t>(a.column[e]) * kBlock;
      for (int64_t b = 0; b < kBlock; ++b) acc[b] += w * x[b];
    }
    std::copy(acc, acc + kBlock, out + r * kBlock);
  }
}

}  // namespace

MelInversion::MelInversion(const torch::Tensor& filterbank, const InversionSettings& settings, torch::Device device)
    : settings_(settings), device_(device) {
  settings_.validate();
  torch::NoGradGuard no_grad;
  if (filterbank.dim() != 2) {
    throw ShapeError(fmt::format("mel inversion: filterbank has {} dimensions, expected [n_mels, n_freqs]", filterbank.dim()));
  }
  const auto fb = filterbank.to(torch::kCPU, torch::kFloat64).contiguous();
  if ((fb < 0).any().item<bool>() || !torch::isfinite(fb).all().item<bool>()) {
    throw ShapeError("mel inversion: filterbank has negative or non-finite weights, expected weights >= 0");
  }
  n_mels_ = fb.size(0);
  n_freqs_ = fb.size(1);
  const auto active = torch::nonzero(fb.gt(0).any(0)).flatten();
  if (active.numel() == 0) throw ShapeError("mel inversion: filterbank covers no frequency bin");
  const auto a = fb.index_select(1, active);  // [n_mels, n_active]

  const auto svd = torch::linalg_svd(a, /*full_matrices=*/false);
  const auto& u = std::get<0>(svd);
  const auto& sv = std::get<1>(svd);
  const auto& vh = std::get<2>(svd);
  const double largest = sv.max().item<double>();
  const auto keep = sv > settings_.pinv_rcond * largest;
  const auto inverse_sv = torch::where(keep, sv.reciprocal(), torch::zeros_like(sv));
  pinv_ = (vh.transpose(0, 1) * inverse_sv.unsqueeze(0)).matmul(u.transpose(0, 1))
              .to(torch::kFloat32).to(device_).contiguous();
  step_ = 1.0 / (largest * largest);

  const auto sparse = a.to(torch::kFloat32).to_sparse().coalesce();
  basis_ = sparse.to(device_);
  basis_t_ = a.transpose(0, 1).contiguous().to(torch::kFloat32).to_sparse().coalesce().to(device_);
  basis_t_ones_ = a.sum(0).to(torch::kFloat32).unsqueeze(1).to(device_);
  active_ = active.to(device_);

  // The same matrix as compressed sparse rows, A and Aᵀ, for the CPU solver.
  const auto a32 = a.to(torch::kFloat32).contiguous();
  const auto acc = a32.accessor<float, 2>();
  const int64_t n_active = a32.size(1);
  auto sparse_rows = [&](bool transposed) {
    SparseRows m;
    const int64_t rows = transposed ? n_active : n_mels_;
    const int64_t columns = transposed ? n_mels_ : n_active;
    m.row_start.push_back(0);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < columns; ++c) {
        const float w = transposed ? acc[c][r] : acc[r][c];
        if (w != 0.0f) {
          m.column.push_back(static_cast<int32_t>(c));
          m.weight.push_back(w);
        }
      }
      m.row_start.push_back(static_cast<int64_t>(m.column.size()));
    }
    return m;
  };
  rows_ = sparse_rows(false);
  columns_ = sparse_rows(true);
  const auto sums = a.sum(0).to(torch::kFloat32).contiguous();
  column_sums_.assign(sums.data_ptr<float>(), sums.data_ptr<float>() + n_active);
  active_bins_.assign(active.data_ptr<int64_t>(), active.data_ptr<int64_t>() + n_active);
}

void MelInversion::solve_block(const float* mel, float* power, std::vector<float>& scratch) const {
  const int64_t n_active = static_cast<int64_t>(active_bins_.size());
  const int64_t cells = n_active * kBlock;
  scratch.resize(static_cast<size_t>(5 * cells + 2 * n_mels_ * kBlock + 2 * kBlock));
  float* x = scratch.data();          // [n_active][kBlock]
  float* y = x + cells;               // FISTA's extrapolated point; Aᵀ(m ⊘ A·x) in the warm start
  float* start = y + cells;
  float* at_m = start + cells;
  float* next = at_m + cells;
  float* fitted = next + cells;       // [n_mels][kBlock]
  float* ratio = fitted + n_mels_ * kBlock;
  float* start_residual = ratio + n_mels_ * kBlock;  // [kBlock]
  float* residual = start_residual + kBlock;
  const float floor = static_cast<float>(kFloorPower);

  // Multiplicative (Richardson-Lucy) steps from the band powers spread back over their bins:
  // x ← x ⊙ Aᵀ(m ⊘ A·x) ⊘ Aᵀ1. They keep every covered bin positive, where the clipped
  // pseudo-inverse leaves many exact zeros that the re-analysis hears as holes 80 dB deep.
  multiply(columns_, mel, x);
  for (int64_t k = 0; k < n_active; ++k) {
    for (int64_t b = 0; b < kBlock; ++b) x[k * kBlock + b] /= column_sums_[k];
  }
  for (int i = 0; i < settings_.nnls_warm_start_iterations; ++i) {
    multiply(rows_, x, fitted);
    for (int64_t j = 0; j < n_mels_ * kBlock; ++j) ratio[j] = mel[j] / std::max(fitted[j], floor);
    multiply(columns_, ratio, y);
    for (int64_t k = 0; k < n_active; ++k) {
      for (int64_t b = 0; b < kBlock; ++b) x[k * kBlock + b] *= y[k * kBlock + b] / column_sums_[k];
    }
  }
  if (settings_.nnls_iterations == 0) {
    std::copy(x, x + cells, power);
    return;
  }

  // Accelerated projected gradient (FISTA) on ½‖A·x − m‖² over x ≥ 0.
  multiply(columns_, mel, at_m);
  std::copy(x, x + cells, start);
  std::copy(x, x + cells, y);
  const auto squared_residual = [&](const float* fit, float* out) {
    std::fill(out, out + kBlock, 0.0f);
    for (int64_t m = 0; m < n_mels_; ++m) {
      for (int64_t b = 0; b < kBlock; ++b) {
        const float d = fit[m * kBlock + b] - mel[m * kBlock + b];
        out[b] += d * d;
      }
    }
  };
  const float step = static_cast<float>(step_);
  double t = 1.0;
  for (int i = 0; i < settings_.nnls_iterations; ++i) {
    multiply(rows_, y, fitted);
    if (i == 0) squared_residual(fitted, start_residual);
    multiply(columns_, fitted, next);  // Aᵀ·A·y
    const double t_next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
    const float coef = static_cast<float>((t - 1.0) / t_next);
    for (int64_t j = 0; j < cells; ++j) {
      const float value = std::max(y[j] - step * (next[j] - at_m[j]), 0.0f);
      y[j] = value + (value - x[j]) * coef;
      x[j] = value;
    }
    t = t_next;
  }
  // FISTA is not monotone: keep, per frame, whichever of its start and its result fits better.
  multiply(rows_, x, fitted);
  squared_residual(fitted, residual);
  for (int64_t k = 0; k < n_active; ++k) {
    for (int64_t b = 0; b < kBlock; ++b) {
      power[k * kBlock + b] = residual[b] <= start_residual[b] ? x[k * kBlock + b] : start[k * kBlock + b];
    }
  }
}

torch::Tensor MelInversion::power_cpu(const torch::Tensor& mel) const {
  const int64_t n = mel.size(0);
  const int64_t frames = mel.size(2);
  const int64_t columns = n * frames;
  const int64_t n_active = static_cast<int64_t>(active_bins_.size());
  auto out = torch::zeros({n, n_freqs_, frames}, torch::kFloat32);
  const float* src = mel.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  const int64_t blocks = (columns + kBlock - 1) / kBlock;
  run_shares(blocks, intra_op_workers(blocks), [&](int64_t, int64_t begin, int64_t end) {
    std::vector<float> block_mel(static_cast<size_t>(n_mels_ * kBlock));
    std::vector<float> block_power(static_cast<size_t>(n_active * kBlock));
    std::vector<float> scratch;
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t first = blk * kBlock;
      const int64_t width = std::min(kBlock, columns - first);
      // Columns past the end are silent frames: finite through every step, then dropped.
      std::fill(block_mel.begin(), block_mel.end(), 0.0f);
      for (int64_t b = 0; b < width; ++b) {
        const int64_t item = (first + b) / frames;
        const int64_t t = (first + b) % frames;
        const float* from = src + item * n_mels_ * frames + t;
        for (int64_t m = 0; m < n_mels_; ++m) block_mel[m * kBlock + b] = from[m * frames];
      }
      solve_block(block_mel.data(), block_power.data(), scratch);
      for (int64_t b = 0; b < width; ++b) {
        const int64_t item = (first + b) / frames;
        const int64_t t = (first + b) % frames;
        float* to = dst + item * n_freqs_ * frames + t;
        for (int64_t k = 0; k < n_active; ++k) to[active_bins_[k] * frames] = block_power[k * kBlock + b];
      }
    }
  });
  return out;
}

torch::Tensor MelInversion::solve(const torch::Tensor& mel) const {
  if (settings_.method == InversionSettings::MelInverse::kPseudoInverse) {
    return torch::matmul(pinv_, mel).clamp_min_(0.0);
  }
  // Multiplicative (Richardson-Lucy) steps from the band powers spread back over their bins:
  // x ← x ⊙ Aᵀ(m ⊘ A·x) ⊘ Aᵀ1. They keep every covered bin positive, where the clipped
  // pseudo-inverse leaves many exact zeros that the re-analysis hears as holes 80 dB deep.
  const auto column_sums = basis_t_ones_;
  auto x = torch::mm(basis_t_, mel).div_(column_sums);
  for (int i = 0; i < settings_.nnls_warm_start_iterations; ++i) {
    const auto ratio = torch::div(mel, torch::mm(basis_, x).clamp_min_(kFloorPower));
    x.mul_(torch::mm(basis_t_, ratio).div_(column_sums));
  }
  if (settings_.nnls_iterations == 0) return x;

  // Accelerated projected gradient (FISTA) on ½‖A·x − m‖² over x ≥ 0, all frames (columns) at once.
  const auto at_m = torch::mm(basis_t_, mel);
  const auto start = x;
  torch::Tensor start_residual;
  auto y = x;
  double t = 1.0;
  for (int i = 0; i < settings_.nnls_iterations; ++i) {
    const auto fitted = torch::mm(basis_, y);
    if (i == 0) start_residual = (fitted - mel).square_().sum(0);
    const auto gradient = torch::mm(basis_t_, fitted).sub_(at_m);
    auto next = y.sub(gradient, step_).clamp_min_(0.0);
    const double t_next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
    y = next + (next - x) * ((t - 1.0) / t_next);
    x = std::move(next);
    t = t_next;
  }
  // FISTA is not monotone: keep, per frame, whichever of its start and its result fits better.
  const auto residual = (torch::mm(basis_, x) - mel).square_().sum(0);
  return torch::where((residual <= start_residual).unsqueeze(0), x, start);
}

torch::Tensor MelInversion::power(const torch::Tensor& mel_power) const {
  torch::NoGradGuard no_grad;
  if ((mel_power.dim() != 2 && mel_power.dim() != 3) || mel_power.size(-2) != n_mels_) {
    throw ShapeError(fmt::format("mel inversion: got [{}], expected [N, {}, frames] or [{}, frames]",
                                 fmt::join(mel_power.sizes(), ", "), n_mels_, n_mels_));
  }
  const auto batched = mel_power.dim() == 3 ? mel_power : mel_power.unsqueeze(0);
  const int64_t n = batched.size(0);
  const int64_t frames = batched.size(2);
  if (n * frames == 0) {
    auto empty = torch::zeros({n, n_freqs_, frames}, torch::TensorOptions().dtype(torch::kFloat32).device(device_));
    return mel_power.dim() == 3 ? empty : empty.squeeze(0);
  }
  if (device_.is_cpu() && settings_.method == InversionSettings::MelInverse::kNnls) {
    const auto out = power_cpu(batched.to(torch::kCPU, torch::kFloat32).contiguous());
    return mel_power.dim() == 3 ? out : out.squeeze(0);
  }
  // Frames of all snippets side by side: [n_mels, N·T].
  const auto mel = batched.to(device_, torch::kFloat32).permute({1, 0, 2}).reshape({n_mels_, n * frames});
  const auto covered = solve(mel);
  auto out = torch::zeros({n_freqs_, n * frames}, covered.options());
  out.index_copy_(0, active_, covered);
  out = out.view({n_freqs_, n, frames}).permute({1, 0, 2}).contiguous();
  return mel_power.dim() == 3 ? out : out.squeeze(0);
}

torch::Tensor MelInversion::magnitude(const torch::Tensor& mel_power) const { return power(mel_power).sqrt_(); }

}  // namespace mh::dsp
