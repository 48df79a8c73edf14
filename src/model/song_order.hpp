#pragma once
/// Song orders: the sequence of ML1 latent vectors (mu) of a song's snippets, in song order.
/// ML2 sees them normalised per latent coordinate and padded into batches.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mh::model {

/// Per-coordinate statistics of the training orders, computed over all their snippets, and the
/// range of their lengths. Stored with the ML2 model and used for encoding and decoding.
struct OrderStats {
  torch::Tensor mean;  ///< [D] float32
  torch::Tensor std;   ///< [D] float32, floored at kMinStd
  int64_t min_length = 1, max_length = 1;  ///< in snippets, over the training orders

  static constexpr double kMinStd = 1e-6;

  /// Statistics of `orders` (each [T_i, D], T_i ≥ 1, any device; the result is on the CPU).
  /// Throws ShapeError for an empty list or orders of other shapes.
  static OrderStats compute(const std::vector<torch::Tensor>& orders);
  int64_t dim() const { return mean.size(0); }
  OrderStats to(torch::Device device) const;
};

/// order [T, D] → (order − mean) / std, float32 on the stats' device. Throws ShapeError.
torch::Tensor normalise(const torch::Tensor& order, const OrderStats& stats);
/// The inverse of normalise, for [..., D]. Throws ShapeError.
torch::Tensor denormalise(const torch::Tensor& x, const OrderStats& stats);

/// A batch of normalised orders, zero padded after each order's end.
struct OrderBatch {
  torch::Tensor x;        ///< [B, T_max, D] float32, zero where mask is false
  torch::Tensor mask;     ///< [B, T_max] bool, true on the first lengths[b] steps
  torch::Tensor lengths;  ///< [B] int64, always on the CPU (packing needs it there)

  int64_t size() const { return x.size(0); }
  int64_t steps() const { return x.size(1); }
  /// x and mask moved to `device`; lengths stay on the CPU.
  OrderBatch to(torch::Device device) const;
};

/// Normalises and pads `orders` (each [T_i, D], T_i ≥ 1) on the stats' device. T_max is the
/// longest order, or `pad_to` when that is larger. Throws ShapeError for an empty list, an
/// empty order, another D, or pad_to ≥ 1 shorter than the longest order.
OrderBatch pad_orders(const std::vector<torch::Tensor>& orders, const OrderStats& stats, int64_t pad_to = 0);

/// Throws ShapeError "<what>: got [...], expected [T, dim]" unless `order` is [T ≥ 1, dim]
/// (dim < 0: any D ≥ 1).
void check_order(const torch::Tensor& order, int64_t dim, const std::string& what = "order");

/// "[a, b, c]" for messages.
std::string ml2_shape_string(const torch::Tensor& t);

/// The orders of an agent's songs, all made by one ML1 version.
struct SongOrders {
  std::string ml1_version;
  std::vector<std::string> song_ids;    ///< one per order, unique
  std::vector<torch::Tensor> orders;    ///< each [T_i ≥ 1, D] float32, the same D for all

  int64_t size() const { return static_cast<int64_t>(orders.size()); }
  /// D of the orders (0 when there are none).
  int64_t dim() const { return orders.empty() ? 0 : orders.front().size(1); }
  /// Throws DatasetError naming the first inconsistency (counts, shapes, duplicate ids,
  /// non-finite values).
  void validate() const;
};

}  // namespace mh::model
