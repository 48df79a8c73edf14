#pragma once
/// The order in which an epoch visits its training items.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mh::model {

/// A permutation of [0, n) drawn from `gen`. With `strata` (one 0 or 1 per item) every prefix,
/// and so every batch, holds the two strata in the proportion of the whole set (within one
/// item), instead of what a plain shuffle happens to give: a dream's `mix` policy keeps its
/// human share in every batch. Throws ShapeError when strata has another length than n.
torch::Tensor epoch_order(int64_t n, const std::vector<std::uint8_t>& strata, torch::Generator& gen);

}  // namespace mh::model
