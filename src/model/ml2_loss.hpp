#pragma once
/// The ML2 training objective, over the real (unpadded) steps of a batch only:
///   reconstruction = mean over every real step and coordinate of (x − x̂)² (normalised units)
///   stop           = mean over real steps of BCE(stop logit, 1 at each song's last step, else 0)
///   kl             = mean over songs of −½ Σ_latent (1 + log_var − mu² − exp(log_var)); 0 for an
///                    autoencoder
///   total          = reconstruction + stop_weight · stop + kl_weight · kl
/// Real steps are gathered by the mask before any reduction, so padding never changes a value.
#include <torch/torch.h>

#include "model/ml2_order_model.hpp"
#include "model/song_order.hpp"

namespace mh::model {

/// Scalar tensors (0-dim), differentiable.
struct Ml2Loss {
  torch::Tensor total, reconstruction, stop, kl;
};

/// Throws ShapeError when `output` does not match `batch`.
Ml2Loss ml2_loss(const OrderBatch& batch, const Ml2Output& output, double kl_weight, double stop_weight);

}  // namespace mh::model
