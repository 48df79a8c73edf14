#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "core/npy.hpp"
#include "dsp/mel.hpp"
#include "support/paths.hpp"

namespace mh::dsp {
namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return nlohmann::json::parse(in);
}

/// numpy.allclose(actual, expected) with its defaults unless given: |a − e| <= atol + rtol·|e|.
::testing::AssertionResult all_close(const torch::Tensor& actual, const torch::Tensor& expected, double rtol = 1e-5,
                                     double atol = 1e-8) {
  if (actual.sizes() != expected.sizes()) {
    return ::testing::AssertionFailure() << "shape " << actual.sizes() << " vs " << expected.sizes();
  }
  const auto a = actual.to(torch::kFloat64);
  const auto e = expected.to(torch::kFloat64);
  const auto excess = (a - e).abs() - (atol + rtol * e.abs());
  const double worst = excess.max().item<double>();
  if (worst <= 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max |Δ| " << (a - e).abs().max().item<double>() << " exceeds tolerance by "
                                       << worst;
}

TEST(MelScale, HzToMelAndBackMatchTheReferenceConversions) {
  const auto roots = test::reference_roots("librosa_testdata/mel_conversions.json");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    const auto cases = read_json(root / "librosa_testdata/mel_conversions.json");
    int checked = 0;
    for (const auto& c : cases["cases"]) {
      const auto scale = c["htk"].get<bool>() ? MelScale::kHtk : MelScale::kSlaney;
      const bool to_mel = c["function"] == "hz_to_mel";
      const auto input = c["input"].get<std::vector<double>>();
      const auto expected = c["expected"].get<std::vector<double>>();
      ASSERT_EQ(input.size(), expected.size());
      for (size_t i = 0; i < input.size(); ++i) {
        const double got = to_mel ? hz_to_mel(input[i], scale) : mel_to_hz(input[i], scale);
        EXPECT_LE(std::abs(got - expected[i]), 1e-8 + 1e-5 * std::abs(expected[i]))
            << c["function"] << " htk=" << c["htk"] << " input " << input[i] << " (" << c["source"] << ")";
        ++checked;
      }
    }
    EXPECT_GT(checked, 50) << root;
  }
}

TEST(MelScale, SlaneyIsLinearBelowOneKilohertzAndLogarithmicAbove) {
  EXPECT_DOUBLE_EQ(hz_to_mel(1000.0, MelScale::kSlaney), 15.0);
  EXPECT_DOUBLE_EQ(hz_to_mel(500.0, MelScale::kSlaney), 7.5);
  // 27 mels per factor 6.4 above 1 kHz.
  EXPECT_NEAR(hz_to_mel(6400.0, MelScale::kSlaney), 15.0 + 27.0, 1e-12);
  EXPECT_NEAR(hz_to_mel(1000.0, MelScale::kHtk), 2595.0 * std::log10(1.0 + 1000.0 / 700.0), 1e-12);
}

TEST(MelScale, MelToHzInvertsHzToMelOnBothScales) {
  for (const auto scale : {MelScale::kSlaney, MelScale::kHtk}) {
    for (double hz : {0.0, 1.0, 440.0, 999.999, 1000.0, 1000.001, 8000.0, 22050.0}) {
      EXPECT_NEAR(mel_to_hz(hz_to_mel(hz, scale), scale), hz, 1e-9 * std::max(1.0, hz));
    }
  }
}

TEST(MelFilterbank, MatchesTheMatlabReferenceForEveryStoredCase) {
  const auto roots = test::reference_roots("librosa_testdata/melfb_cases.json");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    SCOPED_TRACE(root.string());
    const auto dir = root / "librosa_testdata";
    const auto cases = read_json(dir / "melfb_cases.json");
    int checked = 0;
    for (const auto& c : cases["cases"]) {
      const auto scale = c["htk"].get<bool>() ? MelScale::kHtk : MelScale::kSlaney;
      const auto norm = c["norm"].is_null() ? MelNorm::kNone : MelNorm::kSlaney;
      const auto fb = mel_filterbank(c["sr"].get<int>(), c["n_fft"].get<int>(), c["n_mels"].get<int>(),
                                     c["fmin"].get<double>(), c["fmax"].get<double>(), scale, norm);
      EXPECT_EQ(fb.scalar_type(), torch::kFloat64);
      const auto expected = read_npy(dir / c["file"].get<std::string>());
      EXPECT_TRUE(all_close(fb, expected)) << c["file"];
      ++checked;
    }
    // 14 Slaney-normalised cases and melfbnorm-002; the golden set keeps 001, 002 and melfbnorm-002.
    EXPECT_EQ(checked, test::is_golden(root) ? 3 : 15);
  }
}

TEST(MelFilterbank, BandEdgesAreTheReferenceMelFrequencies) {
  const auto roots = test::reference_roots("librosa_testdata/melfb_cases.json");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    const auto cases = read_json(root / "librosa_testdata/melfb_cases.json");
    ASSERT_FALSE(cases["cases"].empty()) << root;
    for (const auto& c : cases["cases"]) {
      const auto scale = c["htk"].get<bool>() ? MelScale::kHtk : MelScale::kSlaney;
      const auto expected = c["mel_center_freqs_hz_with_edges"].get<std::vector<double>>();
      const auto got = mel_frequencies(c["n_mels"].get<int>() + 2, c["fmin"].get<double>(), c["fmax"].get<double>(), scale);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-8 + 1e-5 * expected[i]) << c["file"];
    }
  }
}

TEST(MelFilterbank, MatchesLibrosaFloat32FilterbanksIncludingTheSeedSetting) {
  MH_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "reference/librosa_0.11.0";
  struct Case {
    const char* file;
    int sr;
    int n_fft;
    MelScale scale;
    int empty_rows;
  };
  const Case cases[] = {{"fbank_sr22050_n2048_slaney_normslaney.npy", 22050, 2048, MelScale::kSlaney, 11},
                        {"fbank_sr22050_n2048_htk_normslaney.npy", 22050, 2048, MelScale::kHtk, 13},
                        {"fbank_sr44100_n2048_slaney_normslaney.npy", 44100, 2048, MelScale::kSlaney, 0},
                        {"fbank_sr44100_n2048_htk_normslaney.npy", 44100, 2048, MelScale::kHtk, 0},
                        {"fbank_sr44100_n1380_slaney_normslaney.npy", 44100, 1380, MelScale::kSlaney, 0}};
  for (const auto& c : cases) {
    const auto expected = read_npy(dir / c.file);
    const auto fb = mel_filterbank(c.sr, c.n_fft, 128, 0.0, 16000.0, c.scale).to(torch::kFloat32);
    const double max_weight = expected.abs().max().item<double>();
    EXPECT_TRUE(all_close(fb, expected, 0.0, 1e-6 * max_weight)) << c.file;
    const auto empty = (fb.abs().sum(1) == 0).sum().item<int64_t>();
    EXPECT_EQ(empty, c.empty_rows) << c.file;
  }
}

TEST(MelFilterbank, SlaneyNormalisedBandsHaveAreaTwoOverTheirWidth) {
  // Constant-area triangles: Σ_k w[k]·Δf ≈ 1 for bands much wider than a bin.
  const auto fb = mel_filterbank(44100, 8192, 40, 0.0, 16000.0);
  const double bin_hz = 44100.0 / 8192;
  const auto areas = fb.sum(1) * bin_hz;
  EXPECT_TRUE(all_close(areas.narrow(0, 10, 30), torch::ones({30}, torch::kFloat64), 0.02, 0.0));
  const auto peak_one = mel_filterbank(44100, 8192, 40, 0.0, 16000.0, MelScale::kSlaney, MelNorm::kNone);
  EXPECT_LE(peak_one.max().item<double>(), 1.0);
  EXPECT_GT(peak_one.amax(1).min().item<double>(), 0.9);
}

TEST(MelFilterbank, RefusesImpossibleArguments) {
  EXPECT_THROW(mel_filterbank(44100, 1380, 0, 0.0, 16000.0), SettingsError);
  EXPECT_THROW(mel_filterbank(44100, 1380, 128, 16000.0, 8000.0), SettingsError);
  EXPECT_THROW(mel_filterbank(44100, 1380, 128, -1.0, 8000.0), SettingsError);
  EXPECT_THROW(mel_filterbank(0, 1380, 128, 0.0, 8000.0), SettingsError);
  try {
    mel_filterbank(44100, 1380, 128, 9000.0, 8000.0);
    FAIL() << "no exception";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("fmax_hz = 8000"), std::string::npos) << e.what();
  }
}

TEST(BandSupport, CoversEveryNonZeroWeightWithOneContiguousRange) {
  const auto fb = mel_filterbank(44100, 1380, 128, 0.0, 16000.0);
  const auto support = band_support(fb);
  ASSERT_EQ(support.first.size(), 128u);
  for (int64_t m = 0; m < 128; ++m) {
    const auto row = fb[m];
    EXPECT_GT(support.count[m], 0) << "band " << m;
    const auto inside = row.narrow(0, support.first[m], support.count[m]);
    EXPECT_DOUBLE_EQ(inside.sum().item<double>(), row.sum().item<double>()) << "band " << m;
    EXPECT_GT(inside[0].item<double>(), 0.0);
    EXPECT_GT(inside[support.count[m] - 1].item<double>(), 0.0);
  }
  // The top band ends below 16 kHz: bins above ~501 of 691 feed no band.
  EXPECT_LE(support.first[127] + support.count[127], 502);
}

TEST(BandSupport, EmptyBandsHaveNoBins) {
  const auto fb = mel_filterbank(22050, 2048, 128, 0.0, 16000.0);
  const auto support = band_support(fb);
  EXPECT_EQ(support.count[127], 0);
  EXPECT_THROW(band_support(torch::zeros({3})), ShapeError);
}

}  // namespace
}  // namespace mh::dsp
