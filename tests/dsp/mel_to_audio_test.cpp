#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "dsp/join.hpp"
#include "dsp/mel.hpp"
#include "dsp/mel_to_audio.hpp"
#include "dsp/quality.hpp"

namespace mh::dsp {
namespace {

/// A tone with 6 partials whose pitch steps every quarter second, 44.1 kHz.
torch::Tensor melody(int64_t samples) {
  const auto t = torch::arange(samples, torch::kFloat64) / 44100.0;
  const auto step = torch::floor(t * 4.0);
  const auto f0 = 196.0 * torch::pow(2.0, torch::remainder(step * 5.0, 12.0) / 12.0);
  const auto phase = 2.0 * M_PI * torch::cumsum(f0, 0) / 44100.0;
  auto x = torch::zeros({samples}, torch::kFloat64);
  for (int k = 1; k <= 6; ++k) x += (0.3 / k) * torch::sin(k * phase);
  return x.to(torch::kFloat32);
}

/// Normalised log-mel snippets as the front end makes them: mel power, dB with amin and a
/// per-snippet top_db floor, mapped from [db_floor, db_ceiling] to [0, 1].
torch::Tensor normalised_snippets(const torch::Tensor& snippets, const MelSettings& m) {
  const auto fb = mel_filterbank(m.sample_rate_hz, m.stft.n_fft, m.n_mels, m.fmin_hz, m.fmax_hz).to(torch::kFloat32);
  const auto power = torch::matmul(fb, stft(snippets, m.stft).abs().square());
  auto db = 10.0 * torch::log10(power.clamp_min(m.amin));
  db = torch::max(db, std::get<0>(db.flatten(1).max(1)).view({-1, 1, 1}) - m.top_db);
  return (db - m.db_floor) / (m.db_ceiling - m.db_floor);
}

struct Fixture : ::testing::Test {
  MelSettings mel;
  InversionSettings inversion;
  torch::Tensor audio = melody(3 * 88200).view({3, 88200});
  torch::Tensor normalised = normalised_snippets(audio, mel);
};

TEST_F(Fixture, DenormalisesToPowerWithTheClipAboveTwentyDb) {
  const MelToAudio voice(mel, inversion, torch::kCPU);
  auto x = torch::zeros({1, mel.n_mels, 3});
  x.select(2, 0).fill_(0.0);  // -100 dB
  x.select(2, 1).fill_(0.5);  // 0 dB
  x.select(2, 2).fill_(1.0);  // 100 dB, clipped to 20 dB
  const auto power = voice.mel_power(x);
  EXPECT_NEAR(power[0][0][0].item<double>(), 1e-10, 1e-15);
  EXPECT_NEAR(power[0][0][1].item<double>(), 1.0, 1e-5);
  EXPECT_NEAR(power[0][0][2].item<double>(), 100.0, 1e-3);
}

TEST_F(Fixture, SnippetsHaveTheInverseStftLength) {
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto out = MelToAudio(mel, inversion, torch::kCPU).snippets(normalised, gen);
  EXPECT_EQ(out.sizes(), (torch::IntArrayRef{3, (normalised.size(2) - 1) * mel.stft.hop_length}));
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
}

TEST_F(Fixture, InvertedSnippetsSoundLikeTheOriginal) {
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(2);
  const auto out = MelToAudio(mel, inversion, torch::kCPU).snippets(normalised, gen);
  // The original path gives about 11 dB on a real recording; a clean harmonic tone does better.
  EXPECT_LT(log_spectral_distance_db(out, audio, mel.stft), 11.0);
}

TEST_F(Fixture, SameSeedGivesTheSameSongAndTheSongIsTheTrimmedJoinedSnippets) {
  const MelToAudio voice(mel, inversion, torch::kCPU);
  torch::Generator a = at::make_generator<at::CPUGeneratorImpl>(9);
  torch::Generator b = at::make_generator<at::CPUGeneratorImpl>(9);
  torch::Generator c = at::make_generator<at::CPUGeneratorImpl>(9);
  const auto song = voice.song(normalised, a);
  EXPECT_TRUE(torch::equal(song, voice.song(normalised, b)));
  const auto raw = voice.snippets(normalised, c);
  std::vector<torch::Tensor> pieces;
  for (int64_t i = 0; i < raw.size(0); ++i) pieces.push_back(trim_to_rising_zero_crossings(raw[i]));
  EXPECT_TRUE(torch::equal(song, crossfade_join(pieces, inversion.crossfade_samples)));
}

TEST_F(Fixture, OriginsPutEachSnippetBackWhereItWasCut) {
  const MelToAudio to_audio(mel, inversion, torch::kCPU);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const auto song = to_audio.song_with_origins(normalised, gen);
  ASSERT_EQ(song.origins.size(), 3u);
  EXPECT_LE(song.origins[0], 0);
  // Each origin lies within a fade and a trim of one snippet length after the previous one.
  for (size_t i = 1; i < 3; ++i) {
    const int64_t step = song.origins[i] - song.origins[i - 1];
    EXPECT_GT(step, 88200 - 4000) << i;
    EXPECT_LT(step, 88200 + 4000) << i;
  }
  // Cut at the origins, the song is each snippet's own audio, trimmed and faded at the edges.
  auto gen2 = at::make_generator<at::CPUGeneratorImpl>(7);
  const auto own = to_audio.snippets(normalised, gen2);
  const auto middle = song.audio.narrow(0, song.origins[1] + 10000, 40000);
  EXPECT_TRUE(torch::allclose(middle, own[1].narrow(0, 10000, 40000), 1e-5, 1e-6));
}

TEST_F(Fixture, AcceptsAChannelDimensionAndAnEmptyBatch) {
  const MelToAudio voice(mel, inversion, torch::kCPU);
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  EXPECT_EQ(voice.snippets(normalised.narrow(0, 0, 1).unsqueeze(1), gen).size(0), 1);
  EXPECT_EQ(voice.song(torch::zeros({0, mel.n_mels, 128}), gen).numel(), 0);
}

TEST_F(Fixture, WrongShapesAndSettingsAreRefused) {
  const MelToAudio voice(mel, inversion, torch::kCPU);
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  EXPECT_THROW(voice.snippets(torch::zeros({2, mel.n_mels + 1, 8}), gen), ShapeError);
  EXPECT_THROW(voice.snippets(torch::zeros({mel.n_mels, 8}), gen), ShapeError);
  EXPECT_THROW(voice.snippets(torch::zeros({2, 2, mel.n_mels, 8}), gen), ShapeError);
  InversionSettings bad;
  bad.crossfade_samples = -1;
  EXPECT_THROW(MelToAudio(mel, bad, torch::kCPU), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
