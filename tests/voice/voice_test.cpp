#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "core/errors.hpp"
#include "dsp/mel_settings.hpp"
#include "model/conv_vae.hpp"
#include "voice/voice.hpp"

namespace mh::voice {
namespace {

constexpr int64_t kLatent = 8;
constexpr int64_t kFrames = 16;  // the 0.25-s preset's snippet width

dsp::MelSettings mel_settings() { return dsp::front_end_preset("0.25_16").mel; }

dsp::InversionSettings quick_inversion() {
  dsp::InversionSettings s;
  s.griffin_lim_iterations = 4;  // enough to exercise the path; quality is not under test here
  return s;
}

/// An untrained decoder with seeded weights: the voice's contracts do not depend on training.
Voice make_voice(std::uint64_t init_seed = 1) {
  auto options = model::ConvVaeOptions::fast(128, kFrames);
  options.latent_dim = kLatent;
  options.init_seed = init_seed;
  return Voice(model::ConvVae(options), mel_settings(), quick_inversion(), torch::kCPU);
}

torch::Generator generator(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

torch::Tensor latents(int64_t n, std::uint64_t seed = 5) {
  auto gen = generator(seed);
  return torch::randn({n, kLatent}, gen);
}

double rms(const torch::Tensor& x) { return x.to(torch::kFloat64).square().mean().sqrt().item<double>(); }

TEST(Voice, DecodesLatentsToNormalisedMelSnippetsOnTheCpu) {
  const auto voice = make_voice();
  const auto mel = voice.mel(latents(3));
  EXPECT_EQ(mel.sizes(), (std::vector<int64_t>{3, 128, kFrames}));
  EXPECT_EQ(mel.device().type(), torch::kCPU);
  EXPECT_EQ(mel.scalar_type(), torch::kFloat32);
  EXPECT_GE(mel.min().item<double>(), 0.0);  // a sigmoid output: the normalised [0, 1] scale
  EXPECT_LE(mel.max().item<double>(), 1.0);
  EXPECT_EQ(voice.sample_rate_hz(), mel_settings().sample_rate_hz);
}

TEST(Voice, DecodingDoesNotDependOnTheBatch) {
  const auto voice = make_voice();
  const auto z = latents(40);  // more than one batch of 32
  const auto all = voice.mel(z);
  EXPECT_LE((all.narrow(0, 35, 5) - voice.mel(z.narrow(0, 35, 5))).abs().max().item<double>(), 1e-6);
  EXPECT_LE((all[0] - voice.mel(z.narrow(0, 0, 1))[0]).abs().max().item<double>(), 1e-6);
}

TEST(Voice, NoLatentsGiveNoMelAndNoSamples) {
  const auto voice = make_voice();
  EXPECT_EQ(voice.mel(torch::zeros({0, kLatent})).size(0), 0);
  auto gen = generator(1);
  EXPECT_EQ(voice.sing(torch::zeros({0, kLatent}), gen).numel(), 0);
  EXPECT_EQ(voice.render_with_origins(torch::zeros({0, 128, kFrames}), gen).origins.size(), 0u);
}

TEST(Voice, RefusesLatentsThatAreNotAMatrix) {
  const auto voice = make_voice();
  EXPECT_THROW(voice.mel(torch::zeros({kLatent})), ShapeError);
  EXPECT_THROW(voice.mel(torch::zeros({2, 1, kLatent})), ShapeError);
  auto gen = generator(1);
  EXPECT_THROW(voice.render(torch::zeros({2, 64, kFrames}), gen), ShapeError);  // 64 bands, not 128
}

TEST(Voice, TheSameSeedSingsTheSameSongAndAnotherSeedAnother) {
  const auto voice = make_voice();
  const auto z = latents(3);
  auto g1 = generator(7), g2 = generator(7), g3 = generator(8);
  const auto a = voice.sing(z, g1);
  const auto b = voice.sing(z, g2);
  const auto c = voice.sing(z, g3);
  ASSERT_EQ(a.dim(), 1);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));  // Griffin-Lim's random initial phase comes from the generator
  EXPECT_TRUE(torch::isfinite(a).all().item<bool>());
  // Trimming and crossfading only shorten: never more than the snippets' own samples.
  const int64_t snippet_samples = (kFrames - 1) * mel_settings().stft.hop_length;
  EXPECT_GT(a.numel(), 0);
  EXPECT_LE(a.numel(), 3 * snippet_samples);
}

TEST(Voice, SingingIsRenderingTheDecodedMel) {
  const auto voice = make_voice();
  const auto z = latents(2);
  auto g1 = generator(3), g2 = generator(3);
  EXPECT_TRUE(torch::equal(voice.sing(z, g1), voice.render(voice.mel(z), g2)));
}

TEST(Voice, EachSnippetHasAnOriginInTheSong) {
  const auto voice = make_voice();
  auto gen = generator(4);
  const auto song = voice.render_with_origins(voice.mel(latents(4)), gen);
  ASSERT_EQ(song.origins.size(), 4u);
  // An origin is where the untrimmed snippet would start: the first one's trim lies before the song.
  const int64_t snippet_samples = (kFrames - 1) * mel_settings().stft.hop_length;
  EXPECT_LE(song.origins[0], 0);
  EXPECT_GT(song.origins[0], -snippet_samples);
  for (size_t i = 1; i < song.origins.size(); ++i) EXPECT_GT(song.origins[i], song.origins[i - 1]);
  EXPECT_LT(song.origins.back(), song.audio.numel());
}

TEST(Voice, SilenceRendersNearSilentAndLouderMelRendersLouder) {
  const auto voice = make_voice();
  auto g1 = generator(2), g2 = generator(2);
  // 0 on the normalised scale is the -100 dB floor: 120 dB below a -3 dBFS sine.
  const auto silent = voice.render(torch::zeros({2, 128, kFrames}), g1);
  ASSERT_GT(silent.numel(), 0);
  EXPECT_LT(silent.abs().max().item<double>(), 1e-4);
  // A flat mel at 0 dB (0.5 on the normalised scale): a 100 dB louder mel, far louder audio.
  const auto flat = voice.render(torch::full({2, 128, kFrames}, 0.5), g2);
  EXPECT_GT(rms(flat), 1e3 * std::max(rms(silent), 1e-12));
}

}  // namespace
}  // namespace mh::voice
