#include "model/vae_loss.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "core/shape.hpp"

namespace mh::model {

VaeLoss vae_loss(const torch::Tensor& x, const torch::Tensor& reconstruction, const torch::Tensor& mu,
                 const torch::Tensor& log_var, double reconstruction_weight, bool l1) {
  if (x.sizes() != reconstruction.sizes()) {
    throw ShapeError(fmt::format("vae_loss reconstruction: got {}, expected {}", shape_string(reconstruction.sizes()),
                                 shape_string(x.sizes())));
  }
  if (mu.dim() != 2 || mu.sizes() != log_var.sizes() || mu.size(0) != x.size(0)) {
    throw ShapeError(fmt::format("vae_loss mu / log_var: got {} / {}, expected [{}, latent] both",
                                 shape_string(mu.sizes()), shape_string(log_var.sizes()), x.size(0)));
  }
  // Every snippet has the same element count, so the batch mean of per-snippet means is the
  // plain mean.
  const auto diff = x - reconstruction;
  const auto reconstruction_mse = l1 ? diff.abs().mean() : diff.pow(2).mean();
  const auto kl = (-0.5 * (1 + log_var - mu.pow(2) - log_var.exp()).sum(1)).mean();
  return {reconstruction_weight * reconstruction_mse + kl, reconstruction_mse, kl};
}

}  // namespace mh::model
