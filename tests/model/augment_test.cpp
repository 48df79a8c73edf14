#include <gtest/gtest.h>

#include "model/augment.hpp"

namespace mh::model {
namespace {

torch::Tensor numbered(int64_t n, int64_t mels, int64_t frames) {
  return torch::arange(n * mels * frames, torch::kFloat32).view({n, 1, mels, frames});
}

TEST(Augment, NothingActiveReturnsTheSnippets) {
  const auto x = numbered(2, 4, 6);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  EXPECT_TRUE(augment_snippets(x, {}, gen).is_same(x));
}

TEST(Augment, ATimeRollKeepsEveryBandsValuesInCircularOrder) {
  const auto x = numbered(8, 4, 6);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
  const auto y = augment_snippets(x, {true, 0}, gen);
  bool some_moved = false;
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t k = (y[i][0][0][0].item<int64_t>() - x[i][0][0][0].item<int64_t>() + 6 * 100) % 6;
    const int64_t roll = (6 - k) % 6;
    EXPECT_TRUE(torch::equal(y[i], x[i].roll(roll, 2))) << i;
    some_moved = some_moved || roll != 0;
  }
  EXPECT_TRUE(some_moved);
}

TEST(Augment, AMelShiftRepeatsTheEdgeBandsAndIsSeeded) {
  const auto x = numbered(16, 8, 3);
  auto a = at::make_generator<at::CPUGeneratorImpl>(3);
  auto b = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto y = augment_snippets(x, {false, 2}, a);
  EXPECT_TRUE(torch::equal(y, augment_snippets(x, {false, 2}, b)));
  for (int64_t i = 0; i < 16; ++i) {
    // Band m of the result is band clamp(m − k) of the input for one k in [−2, 2].
    bool matched = false;
    for (int64_t k = -2; k <= 2 && !matched; ++k) {
      const auto idx = (torch::arange(8) - k).clamp(0, 7);
      matched = torch::equal(y[i][0], x[i][0].index_select(0, idx));
    }
    EXPECT_TRUE(matched) << i;
  }
}

}  // namespace
}  // namespace mh::model
