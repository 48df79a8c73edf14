#include "dsp/mel_inversion.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/errors.hpp"

namespace mh::dsp {
namespace {

// Mel power is at least 10^(−100/10) after denormalisation; this keeps the ratios finite for
// any input, including exact zeros.
constexpr double kFloorPower = 1e-30;

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
