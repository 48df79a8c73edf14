#include "dsp/song_features.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"

namespace mh::dsp {
namespace {

torch::Tensor steady_tone(double hz, double seconds = 4.0) {
  const auto t = torch::arange(static_cast<int64_t>(seconds * kNoteRateHz), torch::kFloat64) / kNoteRateHz;
  return (0.5 * torch::sin(2 * M_PI * hz * t)).to(torch::kFloat32);
}

// Short decaying 1-kHz bursts every 60/bpm seconds.
torch::Tensor clicks(double bpm, double seconds = 12.0) {
  auto x = torch::zeros({static_cast<int64_t>(seconds * kNoteRateHz)}, torch::kFloat32);
  const auto burst = steady_tone(1000, 0.05) * torch::exp(-torch::arange(static_cast<int64_t>(0.05 * kNoteRateHz)) / 200.0);
  for (double at = 0.1; at + 0.05 < seconds; at += 60.0 / bpm) {
    const auto i = static_cast<int64_t>(at * kNoteRateHz);
    x.slice(0, i, i + burst.numel()).add_(burst);
  }
  return x;
}

TEST(SongFeatures, ChromaOfAnAIsAllOnA) {
  const auto f = song_features(steady_tone(440));
  ASSERT_EQ(f.size(0), kSongFeatureDims);
  const auto chroma = f.slice(0, kSongMelBands, kSongMelBands + kSongChromaDims);
  EXPECT_EQ(chroma.argmax().item<int64_t>(), 9);  // 0 = C … 9 = A
  EXPECT_NEAR(chroma.sum().item<double>(), 1.0, 1e-9);
  EXPECT_GT(chroma[9].item<double>(), 0.9);
}

TEST(SongFeatures, TheMelShapeIgnoresTheLevel) {
  const auto loud = song_features(steady_tone(300));
  const auto quiet = song_features(steady_tone(300) * 0.01f);
  EXPECT_TRUE(torch::allclose(loud.slice(0, 0, kSongMelBands), quiet.slice(0, 0, kSongMelBands), 0, 1e-3));
}

TEST(SongFeatures, TheMelShapePeaksNearTheTonesBand) {
  const auto low = song_features(steady_tone(200)).slice(0, 0, kSongMelBands).argmax().item<int64_t>();
  const auto high = song_features(steady_tone(2000)).slice(0, 0, kSongMelBands).argmax().item<int64_t>();
  EXPECT_LT(low, high);
}

TEST(SongFeatures, TheTempoOfAClickTrainIsItsBeat) {
  for (double bpm : {75.0, 100.0, 150.0}) {
    const double tempo = std::exp2(song_features(clicks(bpm))[kSongFeatureDims - 1].item<double>());
    EXPECT_NEAR(tempo, bpm, bpm * 0.04) << bpm;
  }
}

TEST(SongFeatures, SilenceAndASteadyToneHaveNoPulse) {
  const double no_pulse = std::log2(120.0);
  EXPECT_DOUBLE_EQ(song_features(torch::zeros({kNoteRateHz * 3}))[kSongFeatureDims - 1].item<double>(), no_pulse);
  EXPECT_DOUBLE_EQ(song_features(steady_tone(330, 8))[kSongFeatureDims - 1].item<double>(), no_pulse);
  EXPECT_EQ(song_features(torch::zeros({0})).slice(0, 0, kSongMelBands).abs().sum().item<double>(), 0.0);
}

TEST(SongFeatures, NormalisationGivesEveryGroupTheSameWeight) {
  auto gen = at::detail::createCPUGenerator(3);
  auto f = torch::randn({50, kSongFeatureDims}, gen, torch::kFloat64);
  f.slice(1, 0, kSongMelBands).mul_(30);  // dB vary far more than chroma shares
  const auto n = normalise_song_features(f);
  for (const auto& g : song_feature_groups()) {
    const double energy = n.slice(1, g.first, g.first + g.count).pow(2).sum(1).mean().item<double>();
    EXPECT_NEAR(energy, 1.0, 1e-9) << g.name;
  }
}

TEST(SongFeatures, TheColourWeightMultipliesTheMelGroupsShareOnly) {
  auto gen = at::detail::createCPUGenerator(4);
  const auto f = torch::randn({40, kSongFeatureDims}, gen, torch::kFloat64);
  const auto plain = normalise_song_features(f);
  const auto weighted = normalise_song_features(f, 4.0);
  for (const auto& g : song_feature_groups()) {
    const double ratio = weighted.slice(1, g.first, g.first + g.count).pow(2).sum().item<double>() /
                         plain.slice(1, g.first, g.first + g.count).pow(2).sum().item<double>();
    EXPECT_NEAR(ratio, g.name == "mel" ? 4.0 : 1.0, 1e-9) << g.name;
  }
}

TEST(SongFeatures, SpreadBelowAGroupsFloorIsNotMagnified) {
  auto f = torch::zeros({4, kSongFeatureDims}, torch::kFloat64);
  f.index_put_({torch::indexing::Slice(), 0}, torch::tensor({0.0, 1e-6, 2e-6, 3e-6}, torch::kFloat64));
  EXPECT_LT(normalise_song_features(f).abs().max().item<double>(), 1e-5);
}

TEST(SongFeatures, WrongShapesAreRefused) {
  EXPECT_THROW(song_features(torch::zeros({2, 100})), ShapeError);
  EXPECT_THROW(normalise_song_features(torch::zeros({3, 5})), ShapeError);
}

}  // namespace
}  // namespace mh::dsp
