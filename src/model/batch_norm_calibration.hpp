#pragma once
/// Re-estimating ML1's BatchNorm statistics after training.
///
/// In training mode each BatchNorm normalises by the batch's own statistics and keeps a moving
/// average (Keras' 0.99) for eval mode. That average lags the weights: after a few dozen epochs
/// an eval-mode model reconstructed 4× worse than the mean training snippet while its training
/// loss was fine, and every song is sung in eval mode. Re-estimating the statistics from the
/// finished weights closes the gap.
#include <torch/torch.h>

#include <functional>

#include "model/conv_vae.hpp"
#include "model/snippet_source.hpp"

namespace mh::model {

/// Replaces every BatchNorm's running mean and variance by the snippet-weighted average of the
/// batch statistics the layers see when the `n_batches` batches are encoded and their means
/// decoded (what singing does; no sampling, so no generator is consumed). `batch(b)` returns
/// batch b as [B, 1, n_mels, frames] on the model's device. Weights are untouched; the model
/// keeps its training/eval mode. Throws ShapeError for a bad batch.
void recalibrate_batch_norm(ConvVaeImpl& model, int64_t n_batches,
                            const std::function<torch::Tensor(int64_t)>& batch);

/// recalibrate_batch_norm over calibration_subset(indices, limit) of `source`, in batches of
/// `batch_size` (as in training: deeper layers' statistics depend on the batching), moved to
/// `device`. Returns the mean of those snippets [1, 1, n_mels, frames] (undefined when there are
/// none).
torch::Tensor recalibrate_batch_norm(ConvVaeImpl& model, const SnippetSource& source,
                                     const std::vector<int64_t>& indices, size_t limit, int64_t batch_size,
                                     torch::Device device);

/// At most `limit` indices spread evenly over `indices` (all of them when there are fewer), in
/// their order: the snippets the statistics are estimated from.
std::vector<int64_t> calibration_subset(const std::vector<int64_t>& indices, size_t limit);

}  // namespace mh::model
