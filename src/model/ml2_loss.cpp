#include "model/ml2_loss.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace mh::model {

Ml2Loss ml2_loss(const OrderBatch& batch, const Ml2Output& output, double kl_weight, double stop_weight) {
  if (!output.frames.defined() || output.frames.sizes() != batch.x.sizes() || !output.stop_logits.defined() ||
      output.stop_logits.sizes() != batch.mask.sizes()) {
    throw ShapeError(fmt::format("ml2 loss: got frames {}, stop logits {}, expected {} and {}",
                                 ml2_shape_string(output.frames), ml2_shape_string(output.stop_logits),
                                 ml2_shape_string(batch.x), ml2_shape_string(batch.mask)));
  }
  const auto mask = batch.mask.to(batch.x.device());
  const auto x = batch.x.index({mask});
  const auto y = output.frames.index({mask});
  Ml2Loss loss;
  loss.reconstruction = (x - y).pow(2).mean();
  const auto last = (batch.lengths - 1).to(mask.device()).unsqueeze(1);
  const auto target = torch::zeros(mask.sizes(), output.stop_logits.options()).scatter_(1, last, 1.0);
  loss.stop = torch::binary_cross_entropy_with_logits(output.stop_logits.index({mask}), target.index({mask}));
  if (output.log_var.defined()) {
    const auto& mu = output.mu;
    const auto& lv = output.log_var;
    loss.kl = (-0.5 * (1 + lv - mu.pow(2) - lv.exp()).sum(1)).mean();
  } else {
    loss.kl = torch::zeros({}, y.options());
  }
  loss.total = loss.reconstruction + stop_weight * loss.stop + kl_weight * loss.kl;
  return loss;
}

}  // namespace mh::model
