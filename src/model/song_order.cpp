#include "model/song_order.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "core/errors.hpp"

namespace mh::model {

std::string ml2_shape_string(const torch::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

void check_order(const torch::Tensor& order, int64_t dim, const std::string& what) {
  const bool ok = order.defined() && order.dim() == 2 && order.size(0) >= 1 && order.size(1) >= 1 &&
                  (dim < 0 || order.size(1) == dim);
  if (!ok) {
    throw ShapeError(fmt::format("{}: got {}, expected [T, {}] with T >= 1", what, ml2_shape_string(order),
                                 dim < 0 ? std::string("D") : std::to_string(dim)));
  }
}

OrderStats OrderStats::compute(const std::vector<torch::Tensor>& orders) {
  if (orders.empty()) throw ShapeError("order statistics: got no orders, expected at least one");
  check_order(orders.front(), -1, "order 0");
  const int64_t dim = orders.front().size(1);
  std::vector<torch::Tensor> rows;
  rows.reserve(orders.size());
  OrderStats s;
  s.min_length = orders.front().size(0);
  s.max_length = s.min_length;
  for (size_t i = 0; i < orders.size(); ++i) {
    check_order(orders[i], dim, fmt::format("order {}", i));
    rows.push_back(orders[i].to(torch::kCPU, torch::kFloat64));
    s.min_length = std::min(s.min_length, orders[i].size(0));
    s.max_length = std::max(s.max_length, orders[i].size(0));
  }
  // Double precision: orders of ML1 means can hold hundreds of thousands of snippets.
  const auto all = torch::cat(rows);
  s.mean = all.mean(0).to(torch::kFloat32);
  s.std = all.std(0, /*unbiased=*/false).clamp_min(kMinStd).to(torch::kFloat32);
  return s;
}

OrderStats OrderStats::to(torch::Device device) const {
  OrderStats s = *this;
  s.mean = mean.to(device);
  s.std = std.to(device);
  return s;
}

torch::Tensor normalise(const torch::Tensor& order, const OrderStats& stats) {
  check_order(order, stats.dim());
  return (order.to(stats.mean.device(), torch::kFloat32) - stats.mean) / stats.std;
}

torch::Tensor denormalise(const torch::Tensor& x, const OrderStats& stats) {
  if (!x.defined() || x.dim() < 1 || x.size(-1) != stats.dim()) {
    throw ShapeError(fmt::format("normalised order: got {}, expected [..., {}]", ml2_shape_string(x), stats.dim()));
  }
  return x.to(stats.mean.device(), torch::kFloat32) * stats.std + stats.mean;
}

OrderBatch OrderBatch::to(torch::Device device) const { return {x.to(device), mask.to(device), lengths}; }

OrderBatch pad_orders(const std::vector<torch::Tensor>& orders, const OrderStats& stats, int64_t pad_to) {
  if (orders.empty()) throw ShapeError("order batch: got no orders, expected at least one");
  int64_t longest = 0;
  for (size_t i = 0; i < orders.size(); ++i) {
    check_order(orders[i], stats.dim(), fmt::format("order {}", i));
    longest = std::max(longest, orders[i].size(0));
  }
  if (pad_to > 0 && pad_to < longest) {
    throw ShapeError(fmt::format("order batch: pad_to = {} is shorter than the longest order ({} steps)", pad_to, longest));
  }
  const int64_t steps = std::max(longest, pad_to);
  const int64_t n = static_cast<int64_t>(orders.size());
  const auto device = stats.mean.device();
  OrderBatch b;
  b.x = torch::zeros({n, steps, stats.dim()}, torch::dtype(torch::kFloat32).device(device));
  b.lengths = torch::empty({n}, torch::kInt64);
  auto* len = b.lengths.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    len[i] = orders[i].size(0);
    b.x[i].narrow(0, 0, len[i]).copy_(normalise(orders[i], stats));
  }
  b.mask = torch::arange(steps, torch::kInt64).unsqueeze(0).lt(b.lengths.unsqueeze(1)).to(device);
  return b;
}

void SongOrders::validate() const {
  if (song_ids.size() != orders.size()) {
    throw DatasetError(fmt::format("song orders: {} song ids for {} orders", song_ids.size(), orders.size()));
  }
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < orders.size(); ++i) {
    const auto& o = orders[i];
    if (!o.defined() || o.dim() != 2 || o.size(0) < 1 || o.size(1) < 1 || o.size(1) != orders.front().size(1) ||
        o.scalar_type() != torch::kFloat32) {
      throw DatasetError(fmt::format("song orders: order of song '{}' is {} {}, expected [T >= 1, {}] float32",
                                     song_ids[i], ml2_shape_string(o), o.defined() ? c10::toString(o.scalar_type()) : "",
                                     orders.front().defined() && orders.front().dim() == 2 ? orders.front().size(1) : 0));
    }
    if (!torch::isfinite(o).all().item<bool>()) {
      throw DatasetError(fmt::format("song orders: order of song '{}' holds non-finite values", song_ids[i]));
    }
    if (!seen.insert(song_ids[i]).second) {
      throw DatasetError(fmt::format("song orders: song id '{}' appears twice", song_ids[i]));
    }
  }
}

}  // namespace mh::model
