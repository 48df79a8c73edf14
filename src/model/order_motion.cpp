#include "model/order_motion.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"
#include "model/song_order.hpp"

namespace mh::model {

namespace {

constexpr double kMotionNan = std::numeric_limits<double>::quiet_NaN();

double motion_ratio(double machine, double human) { return human > 0 ? machine / human : kMotionNan; }

std::vector<torch::Tensor> motion_orders(const std::vector<torch::Tensor>& orders, const char* what) {
  std::vector<torch::Tensor> out;
  out.reserve(orders.size());
  for (size_t i = 0; i < orders.size(); ++i) {
    check_order(orders[i], out.empty() ? -1 : out.front().size(1), fmt::format("{} {}", what, i));
    out.push_back(orders[i].detach().to(torch::kCPU, torch::kFloat64));
  }
  return out;
}

double motion_mean(const std::vector<double>& v) {
  if (v.empty()) return kMotionNan;
  double sum = 0;
  for (const auto x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double motion_nearest(const torch::Tensor& order, const std::vector<const torch::Tensor*>& refs, int64_t window) {
  const int64_t w = std::min(window, order.size(0));
  const int64_t starts = order.size(0) - w + 1;
  auto best = torch::full({starts}, std::numeric_limits<double>::infinity(), torch::kFloat64);
  bool any = false;
  for (const auto* ref : refs) {
    if (ref->size(0) < w || ref->size(1) != order.size(1)) continue;
    any = true;
    const auto d2 = torch::cdist(order, *ref).pow(2);  // [T, S]
    const int64_t ref_starts = ref->size(0) - w + 1;
    auto sum = torch::zeros({starts, ref_starts}, torch::kFloat64);
    // Summing the shifted blocks adds up each aligned pair of windows along the diagonals.
    for (int64_t k = 0; k < w; ++k) sum += d2.narrow(0, k, starts).narrow(1, k, ref_starts);
    best = torch::minimum(best, std::get<0>(sum.min(1)));
  }
  if (!any) return kMotionNan;
  return (best / static_cast<double>(w)).sqrt().mean().item<double>();
}

}  // namespace

nlohmann::json OrderMotion::to_json() const {
  return {{"songs", songs},
          {"step", number_or_null(step)},
          {"spread", number_or_null(spread)},
          {"variety", number_or_null(variety)}};
}

OrderMotion order_motion(const std::vector<torch::Tensor>& orders) {
  const auto songs = motion_orders(orders, "order");
  OrderMotion m;
  m.songs = static_cast<int64_t>(songs.size());
  std::vector<double> steps, spreads;
  std::vector<torch::Tensor> means;
  for (const auto& o : songs) {
    if (o.size(0) >= 2) steps.push_back((o.narrow(0, 1, o.size(0) - 1) - o.narrow(0, 0, o.size(0) - 1)).norm(2, 1).mean().item<double>());
    spreads.push_back(o.std(0, /*unbiased=*/false).mean().item<double>());
    means.push_back(o.mean(0));
  }
  m.step = motion_mean(steps);
  m.spread = motion_mean(spreads);
  if (means.size() >= 2) {
    const auto mu = torch::stack(means);
    const auto d = torch::cdist(mu, mu);
    const auto n = mu.size(0);
    m.variety = d.sum().item<double>() / static_cast<double>(n * (n - 1));
  } else {
    m.variety = kMotionNan;
  }
  return m;
}

double nearest_window_distance(const torch::Tensor& order, const std::vector<torch::Tensor>& references,
                               int64_t window) {
  check_range<int64_t>("window", window, 1, 1000000);
  const auto o = motion_orders({order}, "order").front();
  const auto refs = motion_orders(references, "reference");
  std::vector<const torch::Tensor*> ptrs;
  for (const auto& r : refs) ptrs.push_back(&r);
  return motion_nearest(o, ptrs, window);
}

namespace {

double motion_closest_pair(const std::vector<torch::Tensor>& songs, int64_t window) {
  double best = kMotionNan;
  for (size_t i = 0; i < songs.size(); ++i) {
    for (size_t j = 0; j < songs.size(); ++j) {
      if (i == j) continue;
      const double d = motion_nearest(songs[i], {&songs[j]}, window);
      if (std::isfinite(d) && !(d >= best)) best = d;
    }
  }
  return best;
}

}  // namespace

MotionComparison compare_motion(const std::vector<torch::Tensor>& human, const std::vector<torch::Tensor>& machine,
                                const std::vector<torch::Tensor>& training, int64_t window) {
  check_range<int64_t>("window", window, 1, 1000000);
  const auto h = motion_orders(human, "human order");
  const auto m = motion_orders(machine, "machine order");
  const auto t = motion_orders(training, "training order");
  MotionComparison c;
  c.window = window;
  c.human = order_motion(h);
  c.machine = order_motion(m);
  std::vector<const torch::Tensor*> all;
  for (const auto& r : t) all.push_back(&r);
  std::vector<double> machine_near, human_near;
  for (const auto& song : m) {
    const double d = motion_nearest(song, all, window);
    if (std::isfinite(d)) machine_near.push_back(d);
  }
  for (const auto& song : h) {
    std::vector<const torch::Tensor*> others;
    for (const auto& r : t) {
      if (!(r.sizes() == song.sizes() && torch::equal(r, song))) others.push_back(&r);
    }
    const double d = motion_nearest(song, others, window);
    if (std::isfinite(d)) human_near.push_back(d);
  }
  c.machine_nearest = motion_mean(machine_near);
  c.human_nearest = motion_mean(human_near);
  c.machine_closest_pair = motion_closest_pair(m, window);
  c.human_closest_pair = motion_closest_pair(h, window);
  return c;
}

nlohmann::json MotionComparison::to_json() const {
  auto side = [](const OrderMotion& motion, double nearest, double pair) {
    auto j = motion.to_json();
    j["nearest"] = number_or_null(nearest);
    j["closest_pair"] = number_or_null(pair);
    return j;
  };
  return {{"human", side(human, human_nearest, human_closest_pair)},
          {"machine", side(machine, machine_nearest, machine_closest_pair)},
          {"ratio",
           {{"step", number_or_null(motion_ratio(machine.step, human.step))},
            {"spread", number_or_null(motion_ratio(machine.spread, human.spread))},
            {"variety", number_or_null(motion_ratio(machine.variety, human.variety))},
            {"nearest", number_or_null(motion_ratio(machine_nearest, human_nearest))},
            {"closest_pair", number_or_null(motion_ratio(machine_closest_pair, human_closest_pair))}}},
          {"window", window}};
}

}  // namespace mh::model
