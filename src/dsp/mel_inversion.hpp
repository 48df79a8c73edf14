#pragma once
/// Mel power → linear STFT power/magnitude, for all frames of all snippets at once: a non-negative
/// x with A·x ≈ m per frame, A the mel filterbank [n_mels, n_freqs].
///
/// MelInverse::kNnls (default): multiplicative Richardson-Lucy steps from the band powers spread
/// back over their bins (strictly positive, exact where m is reachable), then accelerated
/// projected-gradient steps (FISTA) on min ‖A·x − m‖², x ≥ 0, using the sparse filterbank; a frame
/// keeps its warm start if the steps did not lower its residual. On the seed pipeline's cases this
/// fits better than librosa's L-BFGS-B (‖A·x − m‖/‖m‖ 0.043 vs 0.044 cello, 0.097 vs 0.099 chirp)
/// and leaves no exact zeros in covered bins.
/// MelInverse::kPseudoInverse: librosa's start, the pseudo-inverse of A applied to m, clipped at
/// 0 (truncated: the Slaney filterbank's one near-zero singular value makes it explode on loud
/// input). Bins no filter covers (above fmax) get 0 either way.
///
/// On the CPU the NNLS runs on blocks of frames spread over LibTorch's intra-op threads, each block
/// through all its steps with the filterbank as compressed sparse rows (every frame is solved on its
/// own, so the result does not depend on the block or thread it fell in).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "dsp/inversion_settings.hpp"

namespace mh::dsp {

class MelInversion {
 public:
  /// filterbank: [n_mels, n_freqs] (float64 preferred; any device). Everything that depends only
  /// on it (pseudo-inverse, sparse form, step size) is computed here, in float64 on the CPU, and
  /// kept as float32 on `device`. Throws SettingsError for invalid settings, ShapeError for a
  /// filterbank that is not 2-D, has a negative weight or covers no bin.
  MelInversion(const torch::Tensor& filterbank, const InversionSettings& settings, torch::Device device);

  /// mel_power [N, n_mels, T] (or [n_mels, T]), ≥ 0 → linear power [N, n_freqs, T] float32 on
  /// the device given to the constructor. Throws ShapeError on a wrong shape.
  torch::Tensor power(const torch::Tensor& mel_power) const;
  /// sqrt(power(mel_power)): the linear magnitude for Griffin-Lim.
  torch::Tensor magnitude(const torch::Tensor& mel_power) const;

  int64_t n_mels() const { return n_mels_; }
  int64_t n_freqs() const { return n_freqs_; }

 private:
  /// Compressed sparse rows of a float32 matrix: row r holds weight[e] at column column[e] for
  /// e in [row_start[r], row_start[r + 1]).
  struct SparseRows {
    std::vector<int64_t> row_start;
    std::vector<int32_t> column;
    std::vector<float> weight;
  };

  /// [n_mels, C] mel → [n_active, C] power of the covered bins.
  torch::Tensor solve(const torch::Tensor& mel) const;
  /// The NNLS on the CPU: mel [N, n_mels, T] float32 contiguous → power [N, n_freqs, T].
  torch::Tensor power_cpu(const torch::Tensor& mel) const;
  /// One block of kBlock frames: mel [n_mels][kBlock] → covered power [n_active][kBlock].
  void solve_block(const float* mel, float* power, std::vector<float>& scratch) const;

  InversionSettings settings_;
  torch::Device device_;
  int64_t n_mels_ = 0;
  int64_t n_freqs_ = 0;
  torch::Tensor active_;        ///< int64 [n_active]: bins some filter covers
  torch::Tensor pinv_;          ///< float32 [n_active, n_mels]
  torch::Tensor basis_;         ///< sparse float32 [n_mels, n_active]
  torch::Tensor basis_t_;       ///< sparse float32 [n_active, n_mels]
  torch::Tensor basis_t_ones_;  ///< float32 [n_active, 1]: Aᵀ1, each covered bin's total weight
  double step_ = 0;             ///< 1 / ‖A‖₂²
  SparseRows rows_;             ///< A [n_mels, n_active]
  SparseRows columns_;          ///< Aᵀ [n_active, n_mels]
  std::vector<float> column_sums_;       ///< Aᵀ1 [n_active]
  std::vector<int64_t> active_bins_;     ///< the covered bins
};

}  // namespace mh::dsp
