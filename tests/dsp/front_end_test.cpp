#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

#include "core/errors.hpp"
#include "core/npy.hpp"
#include "dsp/db.hpp"
#include "dsp/front_end.hpp"
#include "support/paths.hpp"

namespace mh::dsp {
namespace {

constexpr double kPi = 3.14159265358979323846;

MelSettings settings_for(int sr, int n_fft, int hop, MelScale scale = MelScale::kSlaney) {
  MelSettings s;
  s.sample_rate_hz = sr;
  s.stft.n_fft = n_fft;
  s.stft.win_length = n_fft;
  s.stft.hop_length = hop;
  s.scale = scale;
  return s;
}

torch::Tensor sine(double hz, double seconds, int sr, double amplitude = 0.5) {
  const auto t = torch::arange(static_cast<int64_t>(std::llround(seconds * sr)), torch::kFloat64) / sr;
  return (amplitude * torch::sin(2 * kPi * hz * t)).to(torch::kFloat32);
}

double max_rel(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>() /
         b.to(torch::kFloat64).abs().max().item<double>();
}

// Every mel power and mel dB file of librosa 0.11.0: 6 signals × {22050, 44100} Hz × {2048/512,
// 1024/256} (Slaney, some HTK) and the seed setting 1380/690 at 44.1 kHz. The golden set holds
// 5 of them, cropped: an entry's "golden" object says which frames of the cropped signal match.
TEST(MelFrontEnd, MatchesLibrosaForEverySignalAndSetting) {
  const auto roots = test::reference_roots("librosa_0.11.0/index.json");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& ref : roots) {
    SCOPED_TRACE(ref.string());
    std::ifstream in(ref / "librosa_0.11.0/index.json");
    ASSERT_TRUE(in.good());
    const auto index = nlohmann::json::parse(in);
    std::map<std::tuple<int, int, int, bool>, MelFrontEnd> front_ends;
    int power_cases = 0, db_cases = 0, seed_cases = 0;
    for (const auto& f : index["files"]) {
      const std::string kind = f["kind"];
      if (kind != "mel_power" && kind != "mel_db") continue;
      const std::string file = f["file"];
      const bool htk = file.find("_mel_htk_") != std::string::npos;
      const int sr = f["sr"], n_fft = f["n_fft"], hop = f["hop_length"];
      const auto key = std::make_tuple(sr, n_fft, hop, htk);
      auto it = front_ends.find(key);
      if (it == front_ends.end()) {
        // At 22.05 kHz fmax = 16 kHz lies above Nyquist: librosa leaves the top bands empty.
        const auto s = settings_for(sr, n_fft, hop, htk ? MelScale::kHtk : MelScale::kSlaney);
        it = front_ends.emplace(key, MelFrontEnd::allowing_bands_above_nyquist(s)).first;
      }
      const auto x = read_npy(ref / f["signal"].get<std::string>()).unsqueeze(0);
      const auto expected = read_npy(ref / "librosa_0.11.0" / file);
      // A cropped case: only the frames whose window the crop holds whole are compared.
      const auto matching = [&](const torch::Tensor& all) {
        if (!f.contains("golden")) return all;
        return all.narrow(1, f["golden"]["first_frame"].get<int64_t>(), expected.size(1));
      };
      if (kind == "mel_power") {
        const auto got = matching(it->second.power(x)[0]);
        ASSERT_EQ(got.sizes(), expected.sizes()) << file;
        EXPECT_LE(max_rel(got, expected), 1e-4) << file;
        ++power_cases;
      } else {
        const auto got = matching(it->second.db(x)[0]);
        ASSERT_EQ(got.sizes(), expected.sizes()) << file;
        EXPECT_LE((got - expected).abs().max().item<double>(), 0.02) << file;
        ++db_cases;
      }
      if (n_fft == 1380) ++seed_cases;
    }
    const bool golden = test::is_golden(ref);
    EXPECT_EQ(power_cases, golden ? 3 : 42);
    EXPECT_EQ(db_cases, golden ? 2 : 30);
    EXPECT_EQ(seed_cases, golden ? 2 : 12);
  }
}

TEST(MelFrontEnd, UncentredFramesMatchTheMatlabStftThroughTheFilterbank) {
  const auto roots = test::reference_roots("librosa_testdata/stft-018.npy");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    const auto dir = root / "librosa_testdata";
    const auto signal = read_npy(dir / "stft_input_test1_22050_mono.npy");
    // Hann 1024, hop 256, center=False: 48 frames, 4 in the golden set.
    const auto x_ri = read_npy(dir / "stft-018.npy");
    const int64_t frames = x_ri.size(1);
    ASSERT_GE(frames, 4) << root;
    auto s = settings_for(22050, 1024, 256);
    s.stft.center = false;
    s.fmax_hz = 11025;
    const MelFrontEnd fe(s);
    const auto all = fe.power(signal.unsqueeze(0))[0];
    ASSERT_GE(all.size(1), frames) << root;
    const auto got = all.narrow(1, 0, frames);
    const auto power = x_ri.square().sum(-1);  // [513, frames] float64
    const auto expected = torch::matmul(fe.filterbank().to(torch::kFloat64), power);
    EXPECT_LE(max_rel(got, expected), 1e-5) << root;
  }
}

TEST(MelFrontEnd, FastPathEqualsTheDensePathForAssortedSettings) {
  torch::manual_seed(11);
  const auto x = torch::randn({3, 9000}) * 0.2;
  struct Case {
    int sr, n_fft, win, hop;
    bool center;
    MelScale scale;
    MelNorm norm;
    int n_mels;
    double fmin, fmax;
  };
  const Case cases[] = {
      {44100, 1380, 1380, 690, true, MelScale::kSlaney, MelNorm::kSlaney, 128, 0, 16000},
      {44100, 1380, 1000, 345, true, MelScale::kSlaney, MelNorm::kSlaney, 128, 0, 16000},  // window centred in n_fft
      {22050, 1023, 1023, 100, false, MelScale::kHtk, MelNorm::kNone, 40, 300, 8000},      // odd n_fft
      {16000, 512, 400, 160, true, MelScale::kHtk, MelNorm::kSlaney, 80, 20, 8000},
  };
  for (const auto& c : cases) {
    MelSettings s = settings_for(c.sr, c.n_fft, c.hop, c.scale);
    s.stft.win_length = c.win;
    s.stft.center = c.center;
    s.norm = c.norm;
    s.n_mels = c.n_mels;
    s.fmin_hz = c.fmin;
    s.fmax_hz = c.fmax;
    const MelFrontEnd fe(s);
    const auto fast = fe.power(x);
    const auto dense = mel_power_dense(x, s.stft, fe.filterbank());
    ASSERT_EQ(fast.sizes(), dense.sizes()) << c.n_fft;
    EXPECT_EQ(fast.size(2), s.stft.n_frames(9000));
    EXPECT_LE(max_rel(fast, dense), 1e-5) << "n_fft " << c.n_fft << " win " << c.win;
  }
}

TEST(MelFrontEnd, ASineConcentratesInTheBandOfItsFrequency) {
  const MelFrontEnd fe{MelSettings{}};
  const int bin = 69;  // 69 · 44100/1380 = 2205 Hz, exactly on a bin
  const auto p = fe.power(sine(bin * 44100.0 / 1380, 2.0, 44100).unsqueeze(0))[0];
  const auto expected_band = fe.filterbank().select(1, bin).argmax().item<int64_t>();
  const auto bands = p.narrow(1, 2, 124).argmax(0);  // every interior frame
  EXPECT_TRUE((bands == expected_band).all().item<bool>());
  // The band holds weight·(A/2·Σw)² from the bin and ¼ of that from each neighbour.
  const auto fb = fe.filterbank();
  const double peak = 0.25 * 690;
  const double expected = fb[expected_band][bin].item<double>() * peak * peak +
                          (fb[expected_band][bin - 1].item<double>() + fb[expected_band][bin + 1].item<double>()) *
                              (peak / 2) * (peak / 2);
  EXPECT_NEAR(p[expected_band][64].item<double>(), expected, 1e-3 * expected);
}

TEST(MelFrontEnd, SilenceSitsExactlyAtTheFloor) {
  const MelFrontEnd fe{MelSettings{}};
  const auto zeros = torch::zeros({2, 88200});
  EXPECT_EQ(fe.power(zeros).abs().max().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(fe.db(zeros), torch::full({2, 128, 128}, -100.0f)));
  EXPECT_EQ(fe.normalised(zeros).abs().max().item<double>(), 0.0);
}

TEST(MelFrontEnd, AChirpsEnergyMovesUpTheBands) {
  const MelFrontEnd fe{MelSettings{}};
  // Exponential sweep 100 Hz → 10 kHz over 2 s.
  const double f0 = 100, f1 = 10000, k = std::log(f1 / f0) / 2.0;
  const auto t = torch::arange(88200, torch::kFloat64) / 44100.0;
  const auto x = (0.5 * torch::sin(2 * kPi * f0 * (torch::exp(k * t) - 1) / k)).to(torch::kFloat32);
  const auto band = fe.power(x.unsqueeze(0))[0].argmax(0);  // loudest band per frame
  const auto a = band.accessor<int64_t, 1>();
  for (int64_t t_ = 3; t_ < 125; ++t_) EXPECT_GE(a[t_ + 1], a[t_] - 1) << "frame " << t_;
  EXPECT_LT(a[4], 20);
  EXPECT_GT(a[123], 90);
}

TEST(MelFrontEnd, NormalisedSnippetsLieInZeroToOneWithTheirPeakFromTheDbMap) {
  const MelFrontEnd fe{MelSettings{}};
  torch::manual_seed(5);
  const auto x = torch::stack({sine(440, 2.0, 44100), torch::randn({88200}) * 0.1, torch::zeros({88200})});
  const auto y = fe.normalised(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 128, 128}));
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_GE(y.min().item<double>(), 0.0);
  EXPECT_LE(y.max().item<double>(), 1.0);
  const auto db = fe.db(x);
  EXPECT_TRUE(torch::allclose(y, normalise_db(db), 0.0, 1e-6));
  // top_db 80 per snippet: the tone spans exactly 80 dB = 0.4 of the map; silence sits at 0.
  EXPECT_NEAR((y[0].max() - y[0].min()).item<double>(), 0.4, 1e-5);
  EXPECT_GT(y[1].min().item<double>(), y[0].min().item<double>());
}

TEST(MelFrontEnd, WithoutTopDbQuietBinsKeepTheirLevel) {
  MelSettings s;
  s.top_db = 0;  // no floor
  const MelFrontEnd fe(s);
  const auto db = fe.db(sine(440, 2.0, 44100).unsqueeze(0));
  EXPECT_GT((db.max() - db.min()).item<double>(), 80.0);
}

TEST(MelFrontEnd, EachSnippetIsIndependentOfItsBatchAndOfTheThreadCount) {
  const MelFrontEnd fe{MelSettings{}};
  torch::manual_seed(9);
  const auto x = torch::randn({5, 88200}) * 0.1;
  const auto all = fe.normalised(x);
  EXPECT_TRUE(torch::equal(all[3], fe.normalised(x.narrow(0, 3, 1))[0]));
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const auto serial = fe.normalised(x);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(all, serial));
  EXPECT_TRUE(torch::equal(all, fe.normalised(x)));
}

TEST(MelFrontEnd, SnippetLengthsGiveThePresetFrameCounts) {
  for (const auto& name : front_end_preset_names()) {
    const auto s = front_end_preset(name);
    const MelFrontEnd fe(s.mel);
    const auto y = fe.normalised(torch::zeros({1, s.snippet.snippet_samples(44100)}));
    EXPECT_EQ(y.size(2), s.frames()) << name;
    EXPECT_EQ(y.size(1), 128) << name;
  }
}

TEST(MelFrontEnd, RefusesBadSettingsAndShapes) {
  MelSettings s;
  s.stft.hop_length = 0;
  EXPECT_THROW(MelFrontEnd{s}, SettingsError);
  s = MelSettings{};
  s.sample_rate_hz = 22050;  // fmax 16 kHz above Nyquist
  EXPECT_THROW(MelFrontEnd{s}, SettingsError);
  EXPECT_NO_THROW(MelFrontEnd::allowing_bands_above_nyquist(s));
  s.stft.win_length = 4000;
  EXPECT_THROW(MelFrontEnd::allowing_bands_above_nyquist(s), SettingsError);
  const MelFrontEnd fe{MelSettings{}};
  EXPECT_THROW(fe.power(torch::zeros({88200})), ShapeError);
  EXPECT_THROW(fe.normalised(torch::zeros({1, 2, 3})), ShapeError);
  EXPECT_EQ(fe.power(torch::zeros({0, 88200})).sizes(), (std::vector<int64_t>{0, 128, 128}));
}

TEST(MelSnippets, DropsSilenceCutsAndNormalisesARecording) {
  const auto settings = front_end_preset("2.0_128");
  const MelFrontEnd fe(settings.mel);
  // 3 s tone, 2 s silence, 1.5 s tone: no 2 s window is silent throughout, all 6.5 s stay.
  const auto x = torch::cat({sine(440, 3.0, 44100), torch::zeros({88200}), sine(660, 1.5, 44100)});
  // Here the silence covers the window [4, 6) s exactly.
  const auto aligned = torch::cat({sine(440, 4.0, 44100), torch::zeros({88200}), sine(660, 1.5, 44100)});
  const auto y = mel_snippets(aligned, settings, fe);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 128, 128}));  // 5.5 s kept → 2 full + 1 padded
  EXPECT_EQ(mel_snippets(x, settings, fe).size(0), 4);       // no window fully silent: 6.5 s → 4
  EXPECT_EQ(mel_snippets(torch::zeros({200000}), settings, fe).size(0), 0);
  const MelFrontEnd other(settings_for(44100, 1024, 256));
  EXPECT_THROW(mel_snippets(aligned, settings, other), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
