#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/npy.hpp"
#include "dsp/griffin_lim.hpp"
#include "dsp/quality.hpp"
#include "support/paths.hpp"

namespace mh::dsp {
namespace {

using Init = InversionSettings::Init;

struct GlCase {
  std::string signal;
  int sample_rate_hz;
  int n_fft;
  int hop;
  std::string name() const {
    return fmt::format("gl_{}_sr{}_n{}_h{}", signal, sample_rate_hz, n_fft, hop);
  }
};

const GlCase kCases[] = {
    {"chirp", 22050, 2048, 512}, {"chirp", 22050, 1024, 256}, {"chirp", 44100, 2048, 512}, {"chirp", 44100, 1024, 256},
    {"cello", 22050, 2048, 512}, {"cello", 22050, 1024, 256}, {"cello", 44100, 2048, 512}, {"cello", 44100, 1024, 256},
};

StftSettings stft_of(const GlCase& c) {
  StftSettings s;
  s.n_fft = c.n_fft;
  s.win_length = c.n_fft;
  s.hop_length = c.hop;
  return s;
}

InversionSettings settings_with(Init init) {
  InversionSettings s;
  s.init = init;
  return s;
}

torch::Tensor reference_magnitude(const GlCase& c) {
  return read_npy(test::shared_dir() / "reference/torchaudio" / (c.name() + "_input_power.npy")).sqrt();
}

/// A steady harmonic tone: 5 partials of 220 Hz with falling amplitudes.
torch::Tensor harmonic_tone(int sample_rate_hz, int64_t samples) {
  const auto t = torch::arange(samples, torch::kFloat64) / sample_rate_hz;
  auto x = torch::zeros({samples}, torch::kFloat64);
  for (int k = 1; k <= 5; ++k) x += (0.4 / k) * torch::sin(2.0 * M_PI * 220.0 * k * t + 0.3 * k);
  return x.to(torch::kFloat32);
}

TEST(GriffinLim, ZeroPhaseStartMatchesLibrosaOnTheReferenceCases) {
  MH_REQUIRE_SHARED();
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name());
    const auto expected = read_npy(test::shared_dir() / "reference/librosa_0.11.0" / (c.name() + "_output.npy"));
    torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
    const auto out = GriffinLim(stft_of(c), settings_with(Init::kZero))(reference_magnitude(c), gen, c.sample_rate_hz);
    ASSERT_EQ(out.sizes(), expected.sizes());
    // The chirp at 44.1 kHz with n_fft 1024 is chaotic under rounding: bins that cancel to almost
    // nothing in the first iterations take their phase from rounding noise (librosa computes its
    // FFTs in float64; the same algorithm in float64 differs from it by 0.03 there).
    const bool chaotic = c.signal == "chirp" && c.sample_rate_hz == 44100 && c.n_fft == 1024;
    EXPECT_LE((out - expected).abs().max().item<double>(), chaotic ? 0.02 : 1e-3);
  }
}

TEST(GriffinLim, RandomPhaseStartConvergesOnTheReferenceCases) {
  MH_REQUIRE_SHARED();
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name());
    const auto magnitude = reference_magnitude(c);
    torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(42);
    const auto out = GriffinLim(stft_of(c), settings_with(Init::kRandom))(magnitude, gen, c.sample_rate_hz);
    EXPECT_LE(spectral_convergence(out, magnitude, stft_of(c)), 0.12);
  }
}

TEST(GriffinLim, HarmonicToneIsRebuiltBetterThanMinus20Db) {
  StftSettings s;  // the project's 1380 / 690 setting
  const auto tone = harmonic_tone(44100, 44100);
  const auto magnitude = stft(tone, s).abs();
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto out = GriffinLim(s, settings_with(Init::kRandom))(magnitude, gen);
  EXPECT_LT(20.0 * std::log10(spectral_convergence(out, magnitude, s)), -20.0);
}

TEST(GriffinLim, SameSeedGivesIdenticalOutputAndAnotherSeedDoesNot) {
  StftSettings s;
  const auto magnitude = stft(torch::stack({harmonic_tone(44100, 20000), harmonic_tone(44100, 20000).flip(0)}), s).abs();
  const GriffinLim gl(s, settings_with(Init::kRandom));
  torch::Generator a = at::make_generator<at::CPUGeneratorImpl>(7);
  torch::Generator b = at::make_generator<at::CPUGeneratorImpl>(7);
  torch::Generator c = at::make_generator<at::CPUGeneratorImpl>(8);
  const auto out_a = gl(magnitude, a);
  EXPECT_TRUE(torch::equal(out_a, gl(magnitude, b)));
  EXPECT_FALSE(torch::equal(out_a, gl(magnitude, c)));
}

TEST(GriffinLim, BatchGivesTheSameAudioAsOneSnippetAtATime) {
  StftSettings s;
  s.n_fft = 600;  // hop does not divide n_fft: exercises the padded overlap-add
  s.win_length = 500;
  s.hop_length = 250;
  const auto signals = torch::stack({harmonic_tone(22050, 8000), 0.5 * harmonic_tone(22050, 8000).flip(0)});
  const auto magnitude = stft(signals, s).abs();
  const GriffinLim gl(s, settings_with(Init::kZero));
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto batch = gl(magnitude, gen);
  ASSERT_EQ(batch.sizes(), (torch::IntArrayRef{2, (magnitude.size(2) - 1) * 250}));
  for (int64_t i = 0; i < 2; ++i) {
    EXPECT_LE((batch[i] - gl(magnitude[i], gen)).abs().max().item<double>(), 1e-5);
  }
}

TEST(GriffinLim, ZeroIterationsIsTheInverseStftOfTheMagnitudeWithZeroPhase) {
  StftSettings s;
  InversionSettings settings = settings_with(Init::kZero);
  settings.griffin_lim_iterations = 0;
  const auto magnitude = stft(harmonic_tone(44100, 30000), s).abs();
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto out = GriffinLim(s, settings)(magnitude, gen);
  const auto expected = istft(torch::complex(magnitude, torch::zeros_like(magnitude)), s);
  ASSERT_EQ(out.sizes(), expected.sizes());
  EXPECT_LE((out - expected).abs().max().item<double>(), 1e-5);
}

TEST(GriffinLim, SilenceStaysSilentAndFinite) {
  StftSettings s;
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto out = GriffinLim(s, settings_with(Init::kRandom))(torch::zeros({2, s.n_freqs(), 16}), gen);
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  EXPECT_EQ(out.abs().max().item<double>(), 0.0);
}

TEST(GriffinLim, WrongShapesAndLengthsAreRefused) {
  StftSettings s;
  const GriffinLim gl(s, settings_with(Init::kZero));
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  EXPECT_THROW(gl(torch::ones({s.n_freqs() + 1, 8}), gen), ShapeError);
  EXPECT_THROW(gl(torch::ones({1, 1, s.n_freqs(), 8}), gen), ShapeError);
  EXPECT_THROW(gl(torch::ones({s.n_freqs(), 8}), gen, 20 * s.hop_length), ShapeError);
  EXPECT_EQ(gl(torch::ones({s.n_freqs(), 8}), gen, 7 * s.hop_length + 5).size(0), 7 * s.hop_length + 5);
}

TEST(GriffinLim, InvalidSettingsAreRefused) {
  InversionSettings settings;
  settings.griffin_lim_iterations = -1;
  EXPECT_THROW(GriffinLim(StftSettings{}, settings), SettingsError);
  settings = InversionSettings{};
  settings.momentum = -0.5;
  EXPECT_THROW(GriffinLim(StftSettings{}, settings), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
