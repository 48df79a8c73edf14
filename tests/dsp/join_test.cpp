#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "dsp/join.hpp"

namespace mh::dsp {
namespace {

torch::Tensor values(std::vector<float> v) { return torch::tensor(v, torch::kFloat32); }

TEST(TrimToRisingZeroCrossings, CutsFromTheFirstRisingCrossingUpToTheLast) {
  //                 0    1     2    3     4    5    6     7    8
  const auto pcm = values({0.5, -0.2, 0.3, 0.1, -0.4, 0.6, -0.1, -0.3, 0.2});
  // Rising crossings after samples 1, 4 and 7: keep [1, 7).
  EXPECT_TRUE(torch::equal(trim_to_rising_zero_crossings(pcm), values({-0.2, 0.3, 0.1, -0.4, 0.6, -0.1})));
}

TEST(TrimToRisingZeroCrossings, KeepsASnippetWithoutRisingCrossingWhole) {
  const auto falling_only = values({0.5, 0.2, -0.1, -0.3});
  EXPECT_TRUE(torch::equal(trim_to_rising_zero_crossings(falling_only), falling_only));
  const auto through_zero = values({-0.5, 0.0, 0.4});  // exact zeros have no sign, as the original
  EXPECT_TRUE(torch::equal(trim_to_rising_zero_crossings(through_zero), through_zero));
  EXPECT_EQ(trim_to_rising_zero_crossings(torch::zeros({0})).numel(), 0);
}

TEST(TrimToRisingZeroCrossings, OneRisingCrossingLeavesNothingAsTheOriginal) {
  EXPECT_EQ(trim_to_rising_zero_crossings(values({0.3, -0.2, 0.4, 0.5})).numel(), 0);
}

TEST(TrimToRisingZeroCrossings, RefusesAMatrix) {
  EXPECT_THROW(trim_to_rising_zero_crossings(torch::zeros({2, 3})), ShapeError);
}

TEST(EqualPowerGains, SumOfSquaresIsOneAndTheRampsMirrorEachOther) {
  const auto [fade_in, fade_out] = equal_power_gains(820);
  ASSERT_EQ(fade_in.size(0), 820);
  EXPECT_LE((fade_in.square() + fade_out.square() - 1).abs().max().item<double>(), 1e-6);
  EXPECT_TRUE(torch::allclose(fade_in, fade_out.flip(0)));
  EXPECT_FLOAT_EQ(fade_in[0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(fade_in[819].item<float>(), 1.0f);
}

TEST(CrossfadeJoin, OverlapsPiecesByTheFadeWithEqualPowerGains) {
  const auto a = torch::full({10}, 1.0f);
  const auto b = torch::full({8}, 2.0f);
  const auto out = crossfade_join({a, b}, 4);
  ASSERT_EQ(out.size(0), 10 + 8 - 4);
  const auto [fade_in, fade_out] = equal_power_gains(4);
  EXPECT_TRUE(torch::allclose(out.narrow(0, 0, 6), torch::ones({6})));
  EXPECT_TRUE(torch::allclose(out.narrow(0, 6, 4), fade_out + 2.0 * fade_in));
  EXPECT_TRUE(torch::allclose(out.narrow(0, 10, 4), torch::full({4}, 2.0f)));
}

TEST(CrossfadeJoin, KeepsTheLevelOfUncorrelatedNoiseThroughAJoint) {
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const int64_t fade = 4000;
  const auto a = torch::randn({fade}, gen);
  const auto b = torch::randn({fade}, gen);
  const auto joint = crossfade_join({a, b}, fade);
  ASSERT_EQ(joint.size(0), fade);
  EXPECT_NEAR(joint.square().mean().item<double>(), 1.0, 0.08);
}

TEST(CrossfadeJoin, ShrinksTheFadeForPiecesShorterThanIt) {
  const auto out = crossfade_join({torch::ones({100}), torch::full({3}, 2.0f), torch::full({50}, 3.0f)}, 820);
  // Joint 1 fades over the 3 samples of the short piece, joint 2 over the 50 of the last one.
  EXPECT_EQ(out.size(0), 100 + 3 - 3 + 50 - 50);
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
}

TEST(CrossfadeJoin, HandlesEmptyPiecesASinglePieceAndAnEmptyList) {
  EXPECT_EQ(crossfade_join({}, 820).numel(), 0);
  const auto single = torch::arange(5, torch::kFloat32);
  EXPECT_TRUE(torch::equal(crossfade_join({single}, 820), single));
  const auto with_empty = crossfade_join({torch::zeros({0}), single, torch::zeros({0}), single}, 2);
  EXPECT_EQ(with_empty.size(0), 5 + 5 - 2);
  EXPECT_TRUE(torch::equal(crossfade_join({single, single}, 0), torch::cat({single, single})));
}

TEST(CrossfadeJoin, RefusesMatricesAndNegativeFades) {
  EXPECT_THROW(crossfade_join({torch::zeros({2, 2})}, 4), ShapeError);
  EXPECT_THROW(crossfade_join({torch::zeros({4})}, -1), SettingsError);
}

TEST(CrossfadeStarts, MatchTheJoinedPiecesIncludingShortJoints) {
  EXPECT_EQ(crossfade_starts({10, 10, 3}, 4), (std::vector<int64_t>{0, 6, 13}));
  EXPECT_TRUE(crossfade_starts({}, 4).empty());
  const std::vector<torch::Tensor> pieces = {torch::ones({10}), torch::ones({2}), torch::ones({7})};
  const auto starts = crossfade_starts({10, 2, 7}, 4);
  EXPECT_EQ(crossfade_join(pieces, 4).size(0), starts.back() + 7);
  EXPECT_THROW(crossfade_starts({3}, -1), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
