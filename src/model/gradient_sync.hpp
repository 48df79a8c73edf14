#pragma once
/// The trainers' hook for data-parallel training: which part of every global batch this process
/// trains on, and how its gradients are combined with the other processes' after backward.
/// Without one (the default) a trainer uses the whole batch and its own gradients.
#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace mh::model {

/// [begin, end) of this rank's contiguous part of `n` items split over `world_size` ranks: parts
/// differ by at most one item and together cover [0, n) in rank order. Some parts may be empty
/// (n < world_size). Requires 0 <= rank < world_size.
inline std::pair<int64_t, int64_t> shard_range(int64_t n, int64_t rank, int64_t world_size) {
  return {n * rank / world_size, n * (rank + 1) / world_size};
}

class GradientSync {
 public:
  virtual ~GradientSync() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  /// Called by every rank when training starts: gives every rank rank 0's parameters and buffers.
  virtual void broadcast_parameters(torch::nn::Module& module) = 0;
  /// Called by every rank after backward (with zero gradients when its part was empty), before
  /// the optimizer step. `local_items` of the batch's `global_items` were this rank's; losses are
  /// means over items, so the combined gradient weights each rank's by its share.
  virtual void after_backward(torch::nn::Module& module, int64_t local_items, int64_t global_items) = 0;
};

}  // namespace mh::model
