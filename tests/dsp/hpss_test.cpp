#include "dsp/hpss.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/errors.hpp"

namespace mh::dsp {
namespace {

constexpr int kRate = 22050;
constexpr double kToneHz = 1000.0;
constexpr int64_t kSamples = 2 * kRate;
const std::vector<int64_t> kClicks = {kRate / 4, 3 * kRate / 4, 5 * kRate / 4, 7 * kRate / 4};

/// A steady 1 kHz tone with single-sample clicks every half second.
torch::Tensor tone_plus_clicks() {
  auto t = torch::arange(kSamples, torch::kFloat64) / kRate;
  auto x = (0.3 * torch::sin(2 * M_PI * kToneHz * t)).to(torch::kFloat32);
  for (const auto c : kClicks) x[c] += 1.0f;
  return x;
}

/// Power |X|² of a signal's STFT, [freqs, frames].
torch::Tensor power(const torch::Tensor& x, const StftSettings& s) { return torch::abs(stft(x, s)).pow(2); }

struct Regions {
  torch::Tensor tone;   ///< bool [freqs, frames]: the tone's bins, in frames far from every click
  torch::Tensor click;  ///< bool [freqs, frames]: bins far above the tone, in frames at a click
};

Regions regions(const StftSettings& s, int64_t frames) {
  const auto bin_hz = static_cast<double>(kRate) / s.n_fft;
  const auto tone_bin = static_cast<int64_t>(std::lround(kToneHz / bin_hz));
  auto tone = torch::zeros({s.n_freqs(), frames}, torch::kBool);
  auto click = torch::zeros({s.n_freqs(), frames}, torch::kBool);
  for (int64_t f = 0; f < frames; ++f) {
    const int64_t centre = f * s.hop_length;
    int64_t nearest = kSamples;
    for (const auto c : kClicks) nearest = std::min(nearest, std::abs(c - centre));
    if (nearest > s.n_fft) tone.index_put_({torch::indexing::Slice(tone_bin - 3, tone_bin + 4), f}, true);
    if (nearest < s.hop_length / 2) click.index_put_({torch::indexing::Slice(3 * tone_bin, torch::indexing::None), f}, true);
  }
  return {tone, click};
}

double share(const torch::Tensor& part, const torch::Tensor& whole, const torch::Tensor& where) {
  return part.masked_select(where).sum().item<double>() / whole.masked_select(where).sum().item<double>();
}

TEST(Hpss, HarmonicStemKeepsTheToneAndLosesTheClicks) {
  const HpssSettings s;
  const auto x = tone_plus_clicks();
  const auto h = harmonic(x, s);
  ASSERT_EQ(h.numel(), x.numel());
  const auto px = power(x, s.stft);
  const auto r = regions(s.stft, px.size(1));
  ASSERT_GT(r.tone.sum().item<int64_t>(), 0);
  ASSERT_GT(r.click.sum().item<int64_t>(), 0);
  EXPECT_GT(share(power(h, s.stft), px, r.tone), 0.9);
  EXPECT_LT(share(power(h, s.stft), px, r.click), 0.1);
}

TEST(Hpss, PercussiveStemKeepsTheClicksAndLosesTheTone) {
  const HpssSettings s;
  const auto x = tone_plus_clicks();
  const auto p = percussive(x, s);
  ASSERT_EQ(p.numel(), x.numel());
  const auto px = power(x, s.stft);
  const auto r = regions(s.stft, px.size(1));
  EXPECT_LT(share(power(p, s.stft), px, r.tone), 0.1);
  EXPECT_GT(share(power(p, s.stft), px, r.click), 0.9);
}

TEST(Hpss, TheTwoStemsAddUpToTheSignal) {
  const auto x = tone_plus_clicks();
  const auto sum = harmonic(x) + percussive(x);
  EXPECT_LT((sum - x).abs().max().item<double>(), 1e-4);
  EXPECT_TRUE(torch::equal(stem(x, Stem::kAll), x));
}

TEST(Hpss, ShortSignalsKeepTheirLength) {
  for (const int64_t n : {1, 100, 2000}) {
    const auto x = torch::ones({n}) * 0.1;
    EXPECT_EQ(harmonic(x).numel(), n);
    EXPECT_EQ(percussive(x).numel(), n);
  }
}

/// Median with scipy's 'reflect' edges, one window at a time.
float naive_median(const torch::Tensor& row, int64_t at, int64_t window) {
  const int64_t n = row.numel();
  std::vector<float> values;
  for (int64_t j = at - window / 2; j <= at + window / 2; ++j) {
    int64_t k = ((j % (2 * n)) + 2 * n) % (2 * n);
    if (k >= n) k = 2 * n - 1 - k;
    values.push_back(row[k].item<float>());
  }
  std::nth_element(values.begin(), values.begin() + window / 2, values.end());
  return values[static_cast<std::size_t>(window / 2)];
}

TEST(Hpss, MedianFilterMatchesANaiveFilterWithReflectedEdges) {
  auto gen = at::detail::createCPUGenerator(7);
  const auto x = torch::rand({5, 9}, gen);
  for (const int64_t window : {1, 3, 5, 31}) {  // 31 is longer than either side: reflections repeat
    const auto along_cols = median_filter(x, window, 1);
    const auto along_rows = median_filter(x, window, 0);
    for (int64_t r = 0; r < 5; ++r) {
      for (int64_t c = 0; c < 9; ++c) {
        EXPECT_EQ(along_cols[r][c].item<float>(), naive_median(x[r], c, window)) << window << " " << r << " " << c;
        EXPECT_EQ(along_rows[r][c].item<float>(), naive_median(x.select(1, c), r, window));
      }
    }
  }
}

TEST(Hpss, SilentCellsAreSplitEvenlyAsLibrosaDoesWithUnitMargins) {
  const auto masks = hpss_masks(torch::zeros({691, 4}), HpssSettings{});
  EXPECT_TRUE(torch::all(masks.harmonic == 0.5).item<bool>());
  EXPECT_TRUE(torch::all(masks.percussive == 0.5).item<bool>());
  HpssSettings margin;
  margin.margin_harmonic = 2.0;
  EXPECT_TRUE(torch::all(hpss_masks(torch::zeros({691, 4}), margin).harmonic == 0).item<bool>());
}

TEST(Hpss, BadSettingsAndShapesAreRefused) {
  HpssSettings s;
  s.kernel_harmonic = 30;
  EXPECT_THROW(s.validate(), SettingsError);
  s = HpssSettings{};
  s.margin_percussive = 0.5;
  EXPECT_THROW(s.validate(), SettingsError);
  EXPECT_THROW(harmonic(torch::zeros({2, 100})), ShapeError);
  EXPECT_THROW(median_filter(torch::zeros({3}), 3, 0), ShapeError);
}

}  // namespace
}  // namespace mh::dsp
