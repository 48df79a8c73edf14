#pragma once
/// Teacher-forced training material and objective of the autoregressive preset: windows of
/// normalised song orders (many examples from few songs) and the mixture's negative
/// log-likelihood of each window's steps.
#include <torch/torch.h>

#include <vector>

#include "model/ml2_autoregressive.hpp"

namespace mh::model {

/// Windows of B songs, padded to the longest window L.
struct NextStepBatch {
  torch::Tensor previous;  ///< [B, L, D] the frame before each target (row 0 unused where starts)
  torch::Tensor starts;    ///< [B] bool on the CPU: the window begins at its song's first step
  torch::Tensor targets;   ///< [B, L, D] normalised frames to predict
  torch::Tensor mask;      ///< [B, L] bool, true on real steps

  int64_t size() const { return targets.size(0); }
  /// previous, targets and mask moved to `device`; starts stays on the CPU.
  NextStepBatch to(torch::Device device) const;
};

/// How training windows are drawn (Ml2Settings' crop_min, crop_max, crops_per_song, input_noise).
struct WindowDraw {
  int64_t per_song = 8;
  int64_t min_steps = 8, max_steps = 64;
  double input_noise = 0;  ///< std of Gaussian noise added to `previous` (normalised units)
};

/// `draw.per_song` windows from each normalised order (each [T_i ≥ 1, D]): a length uniform in
/// [min(min_steps, T), min(max_steps, T)], then a start uniform over the places it fits, every
/// draw from `generator` (CPU). Throws ShapeError for an empty list or an order of another D.
NextStepBatch draw_windows(const std::vector<torch::Tensor>& orders, const WindowDraw& draw,
                           torch::Generator& generator);
/// Each normalised order whole, from its start: what validation and reconstruction predict.
NextStepBatch whole_songs(const std::vector<torch::Tensor>& orders);

/// Scalars (0-dim), over the real steps only.
struct NextStepLoss {
  torch::Tensor nll;  ///< −log p(target) under the mixture, per step and coordinate (differentiable)
  torch::Tensor mse;  ///< (expected − target)², per step and coordinate, normalised units
};

/// Throws ShapeError when `mixture` does not match `batch`.
NextStepLoss next_step_loss(const NextStepMixture& mixture, const NextStepBatch& batch);

}  // namespace mh::model
