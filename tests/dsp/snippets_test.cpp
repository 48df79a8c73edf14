#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "dsp/snippets.hpp"

namespace mh::dsp {
namespace {

torch::Tensor ramp(int64_t n) { return torch::arange(1, n + 1, torch::kFloat32) / static_cast<double>(n); }

TEST(CutAt, TakesSnippetsAtAnyStartZeroOutside) {
  const auto x = torch::arange(1, 11, torch::kFloat32);  // 1..10
  const auto s = cut_at(x, {-2, 0, 8}, 4);
  EXPECT_TRUE(torch::equal(s[0], torch::tensor({0.f, 0.f, 1.f, 2.f})));
  EXPECT_TRUE(torch::equal(s[1], torch::tensor({1.f, 2.f, 3.f, 4.f})));
  EXPECT_TRUE(torch::equal(s[2], torch::tensor({9.f, 10.f, 0.f, 0.f})));
  EXPECT_EQ(cut_at(x, {}, 4).size(0), 0);
  EXPECT_TRUE(torch::equal(cut_at(x, {20}, 2)[0], torch::zeros({2})));
}

TEST(CutSnippets, ZeroPadsTheLastSnippet) {
  const auto x = ramp(10);
  const auto s = cut_snippets(x, 4);
  ASSERT_EQ(s.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_TRUE(torch::equal(s.reshape({-1}).narrow(0, 0, 10), x));
  EXPECT_TRUE(torch::equal(s[2].narrow(0, 2, 2), torch::zeros({2})));
}

TEST(CutSnippets, AnEvenlyDividingSignalGetsNoExtraSilentSnippet) {
  const auto s = cut_snippets(ramp(12), 4);
  ASSERT_EQ(s.size(0), 3);
  EXPECT_GT(s[2].abs().min().item<double>(), 0.0);
}

TEST(CutSnippets, ASignalShorterThanOneSnippetGivesOnePaddedSnippet) {
  const auto s = cut_snippets(ramp(3), 88200);
  ASSERT_EQ(s.sizes(), (std::vector<int64_t>{1, 88200}));
  EXPECT_TRUE(torch::equal(s[0].narrow(0, 0, 3), ramp(3)));
  EXPECT_EQ(s[0].narrow(0, 3, 88197).abs().max().item<double>(), 0.0);
}

TEST(CutSnippets, AnEmptySignalGivesNoSnippets) {
  EXPECT_EQ(cut_snippets(torch::zeros({0}), 88200).sizes(), (std::vector<int64_t>{0, 88200}));
}

TEST(CutSnippets, RefusesAMatrixAndAZeroLength) {
  EXPECT_THROW(cut_snippets(torch::zeros({2, 3}), 4), ShapeError);
  EXPECT_THROW(cut_snippets(ramp(3), 0), SettingsError);
}

TEST(CutSnippets, ConvertsToFloat32) {
  const auto s = cut_snippets(torch::ones({5}, torch::kFloat64), 2);
  EXPECT_EQ(s.scalar_type(), torch::kFloat32);
  EXPECT_EQ(s.size(0), 3);
}

TEST(RmsDbfs, IsTwentyLogOfTheTrueRms) {
  EXPECT_NEAR(rms_dbfs(torch::full({100}, 0.1f)), -20.0, 1e-6);
  // A full-scale sine has RMS 1/√2: −3.01 dB.
  const auto t = torch::arange(44100, torch::kFloat64) / 44100.0;
  EXPECT_NEAR(rms_dbfs(torch::sin(2 * M_PI * 441 * t)), -3.0103, 1e-3);
  EXPECT_TRUE(std::isinf(rms_dbfs(torch::zeros({10}))));
  EXPECT_TRUE(std::isinf(rms_dbfs(torch::zeros({0}))));
}

TEST(RemoveSilence, DropsWindowsBelowTheThresholdByTheirTrueRms) {
  // Windows of 4: loud (RMS 0.1 = −20 dB), quiet (RMS 1e-4 = −80 dB), loud.
  const auto loud = torch::full({4}, 0.1f);
  const auto quiet = torch::full({4}, 1e-4f);
  const auto x = torch::cat({loud, quiet, loud * -1});
  const auto y = remove_silence(x, 4, -60.0);
  EXPECT_TRUE(torch::equal(y, torch::cat({loud, loud * -1})));
  // At −90 dB the quiet window stays.
  EXPECT_EQ(remove_silence(x, 4, -90.0).numel(), 12);
}

TEST(RemoveSilence, UsesTheMeanNotTheOriginalsSumOverLength) {
  // The original's sqrt(Σx²)/N is the RMS divided by √N (49.5 dB lower for 2 s at 44.1 kHz).
  // Here a window of true RMS −50 dB is dropped at −40 dB and kept at −60 dB.
  const auto x = torch::full({88200}, static_cast<float>(std::pow(10.0, -50.0 / 20)));
  EXPECT_EQ(remove_silence(x, 88200, -40.0).numel(), 0);
  EXPECT_EQ(remove_silence(x, 88200, -60.0).numel(), 88200);
}

TEST(RemoveSilence, JudgesTheLastPartialWindowByItsOwnRms) {
  const auto loud = torch::full({4}, 0.1f);
  // A loud song whose short last window is loud: kept (the original skipped such songs).
  EXPECT_EQ(remove_silence(torch::cat({loud, loud.narrow(0, 0, 2)}), 4, -60.0).numel(), 6);
  // A silent short last window is dropped like any other.
  EXPECT_EQ(remove_silence(torch::cat({loud, torch::zeros({2})}), 4, -60.0).numel(), 4);
  // Judged on its own length: 2 loud samples are −20 dB, not diluted over 4.
  const auto tail = torch::tensor({0.1f, 0.1f});
  EXPECT_EQ(remove_silence(torch::cat({torch::zeros({4}), tail}), 4, -21.0).numel(), 2);
}

TEST(RemoveSilence, AllSilenceOrNothingGivesAnEmptySignal) {
  EXPECT_EQ(remove_silence(torch::zeros({100}), 10, -60.0).numel(), 0);
  EXPECT_EQ(remove_silence(torch::zeros({0}), 10, -60.0).numel(), 0);
  EXPECT_EQ(remove_silence(torch::zeros({0}), 10, -60.0).scalar_type(), torch::kFloat32);
}

// The one-copy route of the front end against the two steps it replaces, on a signal long
// enough for several threads, with loud, silent and partial windows.
TEST(CutSnippetsWithoutSilence, EqualsRemoveSilenceThenCutSnippets) {
  auto x = torch::rand({1000003}) - 0.5;
  x.narrow(0, 100000, 300000).mul_(1e-5);  // quiet windows in the middle
  for (const int64_t window : {44100, 88200, 1000}) {
    const auto expected = cut_snippets(remove_silence(x, window, -60), 88200);
    const auto got = cut_snippets_without_silence(x, window, -60, 88200);
    ASSERT_EQ(got.sizes(), expected.sizes()) << "window " << window;
    EXPECT_TRUE(torch::equal(got, expected)) << "window " << window;
  }
  EXPECT_EQ(cut_snippets_without_silence(torch::zeros({5000}), 1000, -60, 700).sizes(),
            (std::vector<int64_t>{0, 700}));
  EXPECT_THROW(cut_snippets_without_silence(x, 0, -60, 700), SettingsError);
  EXPECT_THROW(cut_snippets_without_silence(x, 1000, -60, 0), SettingsError);
}

TEST(RemoveSilence, RefusesBadArguments) {
  EXPECT_THROW(remove_silence(torch::zeros({2, 10}), 4, -60.0), ShapeError);
  EXPECT_THROW(remove_silence(ramp(10), 0, -60.0), SettingsError);
  EXPECT_THROW(remove_silence(ramp(10), 4, std::nan("")), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
