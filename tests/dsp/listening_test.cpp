#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "dsp/listening.hpp"

namespace mh::dsp {
namespace {

// Snippets with a different tone each: one bright band whose height depends on the snippet,
// moving up over time, on a floor.
torch::Tensor tonal_snippets(int64_t n, int64_t bands = 32, int64_t frames = 24) {
  auto x = torch::full({n, bands, frames}, 0.2f);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t t = 0; t < frames; ++t) x[i][(3 * i + t / 4) % bands][t] = 0.9f;
  }
  return x;
}

TEST(Listening, AConstantOffsetIsThatManyDecibelsEverywhere) {
  const auto heard = torch::full({3, 8, 10}, 0.5f);
  const auto d = listening_distances(heard, heard + 0.1f, {0, 0, 0});
  const auto f = summarise(d);
  EXPECT_EQ(f.snippets, 3);
  EXPECT_NEAR(f.envelope_db, 20.0, 1e-4);  // 0.1 of the default 200-dB span
  EXPECT_NEAR(f.frames_db, 20.0, 1e-4);
  EXPECT_NEAR(f.long_term_db, 20.0, 1e-4);
  EXPECT_NEAR(f.long_term_max_db, 20.0, 1e-4);
  EXPECT_NEAR(f.envelope_ratio, 1.0, 1e-6);  // every answer is as far from every snippet
}

TEST(Listening, AnswersThatIgnoreWhatWasHeardHaveRatiosOfOne) {
  const auto heard = tonal_snippets(6);
  const auto sung = heard[0].unsqueeze(0).expand({6, -1, -1}).contiguous();  // the same answer to all
  const auto f = summarise(listening_distances(heard, sung, {0, 0, 1, 1, 2, 2}));
  EXPECT_NEAR(f.envelope_ratio, 1.0, 0.35);
  EXPECT_NEAR(f.frames_ratio, 1.0, 0.35);
  EXPECT_GT(f.envelope_db, 1.0);
}

TEST(Listening, FaithfulAnswersHaveLargeRatiosAndSmallDistances) {
  const auto heard = tonal_snippets(6);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto sung = (heard + 0.01 * torch::randn(heard.sizes(), gen)).clamp(0, 1);
  const auto f = summarise(listening_distances(heard, sung, {0, 0, 1, 1, 2, 2}));
  EXPECT_LT(f.envelope_db, 1.0);
  EXPECT_LT(f.frames_db, 2.5);
  EXPECT_GT(f.envelope_ratio, 5.0);
  EXPECT_GT(f.frames_ratio, 5.0);
}

TEST(Listening, FramesAreAlignedWithinTheAllowedShift) {
  const auto heard = tonal_snippets(2, 32, 40);
  const auto late = torch::cat({torch::full({2, 32, 3}, 0.2f), heard.narrow(2, 0, 37)}, 2);
  const auto near = summarise(listening_distances(heard, late, {0, 1}, {200, 4, 8}));
  const auto strict = summarise(listening_distances(heard, late, {0, 1}, {200, 0, 8}));
  EXPECT_NEAR(near.frames_db, 0.0, 1e-6);
  EXPECT_GT(strict.frames_db, 5.0);
}

TEST(Listening, SubsetsAndShapes) {
  const auto heard = tonal_snippets(4);
  auto sung = heard.clone();
  sung[3] += 0.05;
  const auto d = listening_distances(heard, sung, {0, 0, 1, 1});
  EXPECT_NEAR(summarise(d, {0, 1}).envelope_db, 0.0, 1e-9);
  EXPECT_NEAR(summarise(d, {3}).envelope_db, 10.0, 1e-4);
  EXPECT_THROW(listening_distances(heard, sung.narrow(0, 0, 3), {0, 0, 1}), ShapeError);
  EXPECT_THROW(listening_distances(heard, sung, {0, 1}), ShapeError);
}

}  // namespace
}  // namespace mh::dsp
