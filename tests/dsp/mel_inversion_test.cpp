#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "core/npy.hpp"
#include "dsp/mel_inversion.hpp"
#include "support/paths.hpp"

namespace mh::dsp {
namespace {

using Method = InversionSettings::MelInverse;

std::filesystem::path librosa_dir() { return test::shared_dir() / "reference/librosa_0.11.0"; }

torch::Tensor seed_filterbank() {
  return read_npy(librosa_dir() / "fbank_sr44100_n1380_slaney_normslaney.npy").to(torch::kFloat64);
}

/// The seed pipeline's mel power: dB clipped to [−100, 20], back to power.
torch::Tensor seed_mel_power(const std::string& signal) {
  const auto db = read_npy(librosa_dir() / (signal + "_sr44100_n1380_h690_mel_slaney_db.npy")).to(torch::kFloat64);
  return torch::pow(10.0, 0.1 * db.clamp(-100.0, 20.0));
}

double fit_error(const torch::Tensor& fb, const torch::Tensor& power, const torch::Tensor& mel) {
  return ((fb.matmul(power.to(torch::kFloat64)) - mel).norm() / mel.norm()).item<double>();
}

InversionSettings with_method(Method method) {
  InversionSettings s;
  s.method = method;
  return s;
}

TEST(MelInversion, FitsTheSeedPipelineCasesAtLeastAsWellAsLibrosa) {
  MH_REQUIRE_SHARED();
  const auto fb = seed_filterbank();
  const MelInversion inversion(fb, with_method(Method::kNnls), torch::kCPU);
  for (const std::string signal : {"cello", "chirp"}) {
    SCOPED_TRACE(signal);
    const auto mel = seed_mel_power(signal);
    const auto librosa = read_npy(librosa_dir() / (signal + "_sr44100_n1380_h690_mel_to_stft.npy")).to(torch::kFloat64);
    const double librosa_error = fit_error(fb, librosa.square(), mel);  // 0.044 cello, 0.099 chirp
    const auto power = inversion.power(mel);
    ASSERT_EQ(power.sizes(), librosa.sizes());
    EXPECT_GE(power.min().item<double>(), 0.0);
    EXPECT_LE(fit_error(fb, power, mel), librosa_error);
  }
}

TEST(MelInversion, NnlsStepsImproveOnThePseudoInverseStart) {
  MH_REQUIRE_SHARED();
  const auto fb = seed_filterbank();
  const auto mel = seed_mel_power("chirp");
  const double start = fit_error(fb, MelInversion(fb, with_method(Method::kPseudoInverse), torch::kCPU).power(mel), mel);
  const double nnls = fit_error(fb, MelInversion(fb, with_method(Method::kNnls), torch::kCPU).power(mel), mel);
  EXPECT_LT(nnls, 0.95 * start);
}

TEST(MelInversion, RecoversAMelSpectrumThatANonNegativeSpectrumProduced) {
  MH_REQUIRE_SHARED();
  const auto fb = seed_filterbank();
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(11);
  const auto spectrum = torch::rand({fb.size(1), 40}, gen, torch::kFloat64).pow(4);
  const auto mel = fb.matmul(spectrum);
  const auto power = MelInversion(fb, InversionSettings{}, torch::kCPU).power(mel);
  // Peaky spectra (uniform^4) are hard for 20 steps; the pseudo-inverse alone misses by far more.
  EXPECT_LT(fit_error(fb, power, mel), 1e-2);
  const auto start = MelInversion(fb, with_method(Method::kPseudoInverse), torch::kCPU).power(mel);
  EXPECT_LT(fit_error(fb, power, mel), fit_error(fb, start, mel));
}

TEST(MelInversion, BinsNoFilterCoversStaySilent) {
  MH_REQUIRE_SHARED();
  const auto fb = seed_filterbank();
  const auto uncovered = torch::nonzero(fb.gt(0).any(0).logical_not()).flatten();
  ASSERT_GT(uncovered.numel(), 0);  // fmax 16 kHz < Nyquist
  const auto power = MelInversion(fb, InversionSettings{}, torch::kCPU).power(seed_mel_power("cello"));
  EXPECT_EQ(power.index_select(0, uncovered).abs().max().item<double>(), 0.0);
}

TEST(MelInversion, BatchOfSnippetsEqualsEachSnippetAlone) {
  MH_REQUIRE_SHARED();
  const auto fb = seed_filterbank();
  const MelInversion inversion(fb, InversionSettings{}, torch::kCPU);
  const auto a = seed_mel_power("cello");
  const auto b = seed_mel_power("chirp");
  const auto batch = inversion.magnitude(torch::stack({a, b}));
  ASSERT_EQ(batch.sizes(), (torch::IntArrayRef{2, fb.size(1), a.size(1)}));
  EXPECT_LE((batch[0] - inversion.magnitude(a)).abs().max().item<double>(), 1e-6 * batch[0].max().item<double>());
  EXPECT_LE((batch[1] - inversion.magnitude(b)).abs().max().item<double>(), 1e-6 * batch[1].max().item<double>());
}

TEST(MelInversion, WrongShapesAndBadFilterbanksAreRefused) {
  const auto fb = torch::rand({8, 20}, torch::kFloat64);
  const MelInversion inversion(fb, InversionSettings{}, torch::kCPU);
  EXPECT_THROW(inversion.power(torch::ones({9, 4})), ShapeError);
  EXPECT_THROW(inversion.power(torch::ones({1, 1, 8, 4})), ShapeError);
  EXPECT_THROW(MelInversion(torch::zeros({8, 20}), InversionSettings{}, torch::kCPU), ShapeError);
  EXPECT_THROW(MelInversion(-fb, InversionSettings{}, torch::kCPU), ShapeError);
  EXPECT_THROW(MelInversion(torch::ones({8}), InversionSettings{}, torch::kCPU), ShapeError);
  InversionSettings bad;
  bad.pinv_rcond = 0;
  EXPECT_THROW(MelInversion(fb, bad, torch::kCPU), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
