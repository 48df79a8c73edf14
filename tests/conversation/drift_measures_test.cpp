#include <gtest/gtest.h>

#include "agent/agent.hpp"
#include "agent/agent_test_util.hpp"
#include "conversation/judge.hpp"
#include "conversation/measures.hpp"
#include "core/errors.hpp"

namespace mh::conversation {
namespace {

torch::Tensor gaussian_sample(int64_t n, int64_t d, double mean, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({n, d}, gen, torch::kFloat64) + mean;
}

TEST(BootstrapFrechet, TheIntervalHoldsTheDistanceAndTheSameSeedGivesTheSameInterval) {
  const auto a = gaussian_sample(60, 4, 0.0, 1), b = gaussian_sample(60, 4, 1.0, 2);
  const double fd = frechet_distance(fit_gaussian(a), fit_gaussian(b));
  const auto i = bootstrap_frechet(a, b, 200, 0.9, 7);
  EXPECT_LT(i.low, fd);
  EXPECT_GT(i.high, fd);
  const auto again = bootstrap_frechet(a, b, 200, 0.9, 7);
  EXPECT_EQ(again.low, i.low);
  EXPECT_EQ(again.high, i.high);
  EXPECT_NE(bootstrap_frechet(a, b, 200, 0.9, 8).low, i.low);
}

TEST(BootstrapFrechet, AFewPointsInEightDimensionsStillGiveAnIntervalAroundTheirDistance) {
  // A demo generation: 15 snippets against 40 held-out ones, in the judge's 8 drift axes. Every
  // resample repeats points, so the plain percentiles all lay above the figure.
  const auto gen = gaussian_sample(15, 8, 0.3, 11), ref = gaussian_sample(40, 8, 0.0, 12);
  const double fd = frechet_distance(fit_gaussian(gen), fit_gaussian(ref));
  const auto i = bootstrap_frechet(gen, ref, 200, 0.9, 3);
  EXPECT_LT(i.low, fd);
  EXPECT_GT(i.high, fd);
  EXPECT_GE(i.low, 0.0);
}

TEST(BootstrapFrechet, AShiftWellBeyondTheNoiseLeavesTheIntervalOfTheUnshiftedSets) {
  const auto ref = gaussian_sample(80, 8, 0.0, 3);
  const auto same = gaussian_sample(40, 8, 0.0, 4), moved = gaussian_sample(40, 8, 1.0, 5);
  const auto noise = bootstrap_frechet(same, ref, 200, 0.9, 1);
  EXPECT_GT(frechet_distance(fit_gaussian(moved), fit_gaussian(ref)), noise.high);
}

TEST(BootstrapFrechet, RefusesSetsOfOtherDimensionsAndBadSettings) {
  const auto a = gaussian_sample(10, 4, 0.0, 1);
  EXPECT_THROW(bootstrap_frechet(a, gaussian_sample(10, 3, 0.0, 2), 10, 0.9, 1), ShapeError);
  EXPECT_THROW(bootstrap_frechet(a, a.slice(0, 0, 1), 10, 0.9, 1), ShapeError);
  EXPECT_THROW(bootstrap_frechet(a, a, 1, 0.9, 1), SettingsError);
  EXPECT_THROW(bootstrap_frechet(a, a, 10, 1.0, 1), SettingsError);
}

TEST(DriftDimensions, AreAFifthOfTheReferenceBetweenTwoAndEightAndAtMostTheLatent) {
  EXPECT_EQ(drift_dimensions(40, 128), 8);   // Dennis's held-out snippets in the demo
  EXPECT_EQ(drift_dimensions(80, 128), 8);   // Valerio's
  EXPECT_EQ(drift_dimensions(20, 128), 4);
  EXPECT_EQ(drift_dimensions(4, 128), 2);
  EXPECT_EQ(drift_dimensions(80, 6), 6);
}

TEST(Judge, DriftProjectionIsOrthonormalCentredOnTheReferenceAndHasFullRankThere) {
  test::TempDir dir;
  test::copy_agent(test::TinyAgents::get().ml1(), dir / "agent");
  const auto agent = agent::Agent::open(dir / "agent");
  const auto judge = Judge::create(agent, 512, 1);
  const int64_t n = judge.reference_embedding().size(0);
  const int64_t k = judge.drift_dimensions();
  EXPECT_EQ(k, drift_dimensions(n, judge.reference_embedding().size(1)));
  const auto ref_k = judge.drift_project(judge.reference_embedding());
  ASSERT_EQ(ref_k.sizes(), (std::vector<int64_t>{n, k}));
  EXPECT_LT(ref_k.mean(0).abs().max().item<double>(), 1e-9);
  // Principal axes: the variances fall from the first to the last and none is zero.
  const auto var = ref_k.var(0);
  for (int64_t c = 1; c < k; ++c) EXPECT_GE(var[c - 1].item<double>(), var[c].item<double>() - 1e-12);
  EXPECT_GT(var[k - 1].item<double>(), 0.0);
  // The held-out pool: every snippet of the validation and reference splits, none trained on.
  int64_t held_out = 0;
  for (const auto split : {corpus::Split::kValidation, corpus::Split::kReference}) {
    held_out += static_cast<int64_t>(agent.dataset().ids(split).size());
  }
  EXPECT_EQ(n, held_out);
}

}  // namespace
}  // namespace mh::conversation
