#pragma once
/// The ML1 training objective, with Keras' conventions as in the original:
///   reconstruction = mean over every element of (x − x̂)²  (per snippet: mean over the
///                    1 × n_mels × frames values, then mean over the batch; "MSE" in normalised units)
///   kl             = mean over the batch of −½ Σ_latent (1 + log_var − mu² − exp(log_var))
///                    (summed over latent dimensions, not averaged)
///   total          = weight · reconstruction + kl   (weight 1e6 in the original)
/// With `l1` the reconstruction is the mean absolute difference instead: squared error is
/// smallest for a blurred answer between two candidate notes, absolute error for one of them.
#include <torch/torch.h>

namespace mh::model {

/// Scalar tensors (0-dim), differentiable.
struct VaeLoss {
  torch::Tensor total, reconstruction, kl;
};

/// x and reconstruction [N, 1, H, W], mu and log_var [N, latent]. Throws ShapeError when the
/// shapes do not match.
VaeLoss vae_loss(const torch::Tensor& x, const torch::Tensor& reconstruction, const torch::Tensor& mu,
                 const torch::Tensor& log_var, double reconstruction_weight, bool l1 = false);

}  // namespace mh::model
