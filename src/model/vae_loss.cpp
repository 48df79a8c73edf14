#include "model/vae_loss.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace mh::model {

namespace {
std::string shape_string(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}
}  // namespace

VaeLoss vae_loss(const torch::Tensor& x, const torch::Tensor& reconstruction, const torch::Tensor& mu,
                 const torch::Tensor& log_var, double reconstruction_weight) {
  if (x.sizes() != reconstruction.sizes()) {
    throw ShapeError(fmt::format("vae_loss reconstruction: got {}, expected {}", shape_string(reconstruction),
                                 shape_string(x)));
  }
  if (mu.dim() != 2 || mu.sizes() != log_var.sizes() || mu.size(0) != x.size(0)) {
    throw ShapeError(fmt::format("vae_loss mu / log_var: got {} / {}, expected [{}, latent] both",
                                 shape_string(mu), shape_string(log_var), x.size(0)));
  }
  // Every snippet has the same element count, so the batch mean of per-snippet means is the
  // plain mean.
  const auto reconstruction_mse = (x - reconstruction).pow(2).mean();
  const auto kl = (-0.5 * (1 + log_var - mu.pow(2) - log_var.exp()).sum(1)).mean();
  return {reconstruction_weight * reconstruction_mse + kl, reconstruction_mse, kl};
}

}  // namespace mh::model
