// Motion figures of song orders: hand-made paths with known steps, spreads, varieties and
// nearest distances.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "model/order_motion.hpp"

namespace mh::model {

TEST(OrderMotion, StepSpreadAndVarietyOfHandMadePaths) {
  // A ramp along x in steps of 3, and a still song at (0, 4).
  const auto ramp = torch::tensor({{0.0, 0.0}, {3.0, 0.0}, {6.0, 0.0}});
  const auto still = torch::tensor({{0.0, 4.0}, {0.0, 4.0}});
  const auto m = order_motion({ramp, still});
  EXPECT_EQ(m.songs, 2);
  EXPECT_DOUBLE_EQ(m.step, (3.0 + 0.0) / 2);
  // The ramp's x std over time is √6, its y std 0; the still song's are 0.
  EXPECT_NEAR(m.spread, (std::sqrt(6.0) / 2 + 0.0) / 2, 1e-12);
  // Means (3, 0) and (0, 4): 5 apart.
  EXPECT_NEAR(m.variety, 5.0, 1e-12);
  const auto one = order_motion({torch::ones({1, 2})});
  EXPECT_TRUE(std::isnan(one.step));
  EXPECT_TRUE(std::isnan(one.variety));
  EXPECT_EQ(one.spread, 0.0);
  EXPECT_TRUE(one.to_json()["variety"].is_null());
  EXPECT_THROW(order_motion({ramp, torch::ones({2, 3})}), ShapeError);
}

TEST(NearestWindowDistance, IsZeroForACopiedStretchAndTheOffsetOtherwise) {
  const auto t = torch::arange(12, torch::kFloat64).unsqueeze(1);
  const auto reference = torch::cat({t, t * 0}, 1);
  // A stretch of the reference, and the same stretch moved by (0, 2).
  const auto copy = reference.narrow(0, 3, 6);
  const auto moved = copy + torch::tensor({0.0, 2.0});
  EXPECT_NEAR(nearest_window_distance(copy, {reference}, 4), 0.0, 1e-12);
  EXPECT_NEAR(nearest_window_distance(moved, {reference}, 4), 2.0, 1e-9);
  // Windows are aligned: the reference reversed holds every row but no stretch in order.
  EXPECT_GT(nearest_window_distance(copy, {reference.flip(0)}, 4), 1.0);
  // Shorter than the window: the whole song is one window; references too short are skipped.
  EXPECT_NEAR(nearest_window_distance(copy.narrow(0, 0, 2), {reference}, 4), 0.0, 1e-12);
  EXPECT_TRUE(std::isnan(nearest_window_distance(copy, {reference.narrow(0, 0, 3)}, 4)));
  EXPECT_THROW(nearest_window_distance(copy, {reference}, 0), SettingsError);
}

TEST(CompareMotion, LeavesEachHumanSongOutOfItsOwnReferencesAndGivesRatios) {
  const auto t = torch::arange(8, torch::kFloat64).unsqueeze(1);
  const auto a = torch::cat({t, t * 0}, 1);
  const auto b = a + torch::tensor({0.0, 1.0});
  const auto c = a + torch::tensor({0.0, 3.0});
  // Machine songs: a copy of a, and a slower ramp.
  const auto copied = a.clone();
  const auto slow = torch::cat({t * 0.5, t * 0 + 10}, 1);
  const auto cmp = compare_motion({a, b}, {copied, slow}, {a, b, c}, 4);
  // a's nearest other is b (1 away), b's is a (1 away).
  EXPECT_NEAR(cmp.human_nearest, 1.0, 1e-9);
  EXPECT_NEAR(cmp.human_closest_pair, 1.0, 1e-9);
  EXPECT_NEAR(cmp.machine.step, (1.0 + 0.5) / 2, 1e-12);
  EXPECT_NEAR(cmp.human.step, 1.0, 1e-12);
  const auto j = cmp.to_json();
  EXPECT_NEAR(j["ratio"]["step"].get<double>(), 0.75, 1e-12);
  EXPECT_EQ(j["window"].get<int64_t>(), 4);
  EXPECT_TRUE(j["human"].contains("nearest"));
  // The copy sits at distance 0 from a: the machine's mean nearest is half the slow song's.
  EXPECT_NEAR(cmp.machine_nearest, 0.5 * nearest_window_distance(slow, {a, b, c}, 4), 1e-9);
}

}  // namespace mh::model
