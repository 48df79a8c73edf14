#include "model/ml2_next_step.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/errors.hpp"

namespace mh::model {

NextStepBatch NextStepBatch::to(torch::Device device) const {
  return {previous.to(device), starts, targets.to(device), mask.to(device)};
}

namespace {

struct NextStepWindow {
  size_t song;
  int64_t start, steps;
};

void check_window_orders(const std::vector<torch::Tensor>& orders) {
  if (orders.empty()) throw ShapeError("next-step windows: got no orders, expected at least one");
  for (size_t i = 0; i < orders.size(); ++i) check_order(orders[i], orders.front().size(1), fmt::format("order {}", i));
}

NextStepBatch gather_windows(const std::vector<torch::Tensor>& orders, const std::vector<NextStepWindow>& windows) {
  const int64_t d = orders.front().size(1);
  int64_t longest = 0;
  for (const auto& w : windows) longest = std::max(longest, w.steps);
  const auto n = static_cast<int64_t>(windows.size());
  const auto options = torch::dtype(torch::kFloat32).device(orders.front().device());
  NextStepBatch b{torch::zeros({n, longest, d}, options), torch::zeros({n}, torch::kBool),
                  torch::zeros({n, longest, d}, options), torch::zeros({n, longest}, options.dtype(torch::kBool))};
  for (int64_t i = 0; i < n; ++i) {
    const auto& w = windows[static_cast<size_t>(i)];
    const auto& order = orders[w.song];
    b.targets[i].narrow(0, 0, w.steps).copy_(order.narrow(0, w.start, w.steps));
    b.mask[i].narrow(0, 0, w.steps).fill_(true);
    // previous[t] = order[start + t − 1]; at a song's start row 0 becomes the start token.
    const int64_t from = std::max<int64_t>(w.start - 1, 0);
    const int64_t skip = w.start == 0 ? 1 : 0;
    if (w.steps - skip > 0) b.previous[i].narrow(0, skip, w.steps - skip).copy_(order.narrow(0, from, w.steps - skip));
    b.starts[i].fill_(w.start == 0);
  }
  return b;
}

}  // namespace

NextStepBatch draw_windows(const std::vector<torch::Tensor>& orders, const WindowDraw& draw,
                           torch::Generator& generator) {
  check_window_orders(orders);
  std::vector<NextStepWindow> windows;
  const auto cpu_int = torch::dtype(torch::kInt64);
  for (size_t s = 0; s < orders.size(); ++s) {
    const int64_t len = orders[s].size(0);
    const int64_t lo = std::min(draw.min_steps, len), hi = std::min(draw.max_steps, len);
    for (int64_t k = 0; k < draw.per_song; ++k) {
      const int64_t steps = torch::randint(lo, hi + 1, {1}, generator, cpu_int).item<int64_t>();
      const int64_t start = torch::randint(0, len - steps + 1, {1}, generator, cpu_int).item<int64_t>();
      windows.push_back({s, start, steps});
    }
  }
  auto b = gather_windows(orders, windows);
  if (draw.input_noise > 0) {
    const auto noise = torch::randn(b.previous.sizes(), generator, torch::kFloat32).to(b.previous.device());
    b.previous = b.previous + draw.input_noise * noise;
  }
  return b;
}

NextStepBatch whole_songs(const std::vector<torch::Tensor>& orders) {
  check_window_orders(orders);
  std::vector<NextStepWindow> windows;
  for (size_t s = 0; s < orders.size(); ++s) windows.push_back({s, 0, orders[s].size(0)});
  return gather_windows(orders, windows);
}

NextStepLoss next_step_loss(const NextStepMixture& m, const NextStepBatch& b) {
  const auto& y = b.targets;
  const bool ok = m.mean.defined() && m.mean.dim() == 4 && m.mean.size(0) == y.size(0) &&
                  m.mean.size(1) == y.size(1) && m.mean.size(3) == y.size(2) && m.log_std.sizes() == m.mean.sizes() &&
                  m.logits.defined() && m.logits.sizes() == m.mean.sizes().slice(0, 3);
  if (!ok) {
    throw ShapeError(fmt::format("next-step loss: got mean {}, log_std {}, logits {}, expected [{}, {}, K, {}]",
                                 ml2_shape_string(m.mean), ml2_shape_string(m.log_std), ml2_shape_string(m.logits),
                                 y.size(0), y.size(1), y.size(2)));
  }
  const auto d = static_cast<double>(y.size(2));
  const auto z = (y.unsqueeze(2) - m.mean) * torch::exp(-m.log_std);
  const auto component = (-0.5 * z.pow(2) - m.log_std).sum(-1) - 0.5 * d * std::log(2 * M_PI);
  const auto nll = -torch::logsumexp(torch::log_softmax(m.logits, -1) + component, -1) / d;
  const auto mask = b.mask.to(y.device());
  return {nll.index({mask}).mean(), (m.expected() - y).index({mask}).pow(2).mean()};
}

}  // namespace mh::model
