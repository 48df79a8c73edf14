#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "core/errors.hpp"
#include "core/npy.hpp"
#include "dsp/stft.hpp"
#include "support/paths.hpp"

namespace mh::dsp {
namespace {

constexpr double kPi = 3.14159265358979323846;

TEST(Stft, MatchesTheMatlabReferenceForEveryStoredCase) {
  const auto roots = test::reference_roots("librosa_testdata/stft_cases.json");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    SCOPED_TRACE(root.string());
    const auto dir = root / "librosa_testdata";
    std::ifstream in(dir / "stft_cases.json");
    ASSERT_TRUE(in.good());
    const auto doc = nlohmann::json::parse(in);
    const auto signal = read_npy(dir / doc["input"]["file"].get<std::string>());
    int checked = 0;
    for (const auto& c : doc["cases"]) {
      StftSettings s;
      s.n_fft = c["n_fft"].get<int>();
      s.win_length = c["win_length"].get<int>();
      s.hop_length = c["hop_length"].get<int>();
      s.center = c["center"].get<bool>();
      ASSERT_FALSE(s.center);
      const bool hann = c["window"] == "hann";
      const auto spec = hann ? stft(signal, s) : stft(signal, s, torch::ones({s.n_fft}));
      const auto expected_ri = read_npy(dir / c["file"].get<std::string>());  // [freqs, frames, 2]
      const int64_t frames = expected_ri.size(1);
      ASSERT_EQ(frames, c["frames_kept"].get<int64_t>()) << c["file"];
      ASSERT_EQ(spec.size(0), s.n_freqs());
      ASSERT_GE(spec.size(1), frames);
      EXPECT_EQ(s.n_frames(signal.size(0)), spec.size(1));
      const auto got = torch::view_as_real(spec.narrow(1, 0, frames)).to(torch::kFloat64);
      // float32 STFT: max |Δ| <= 1e-5 · max |X| (reference README).
      const double scale = expected_ri.abs().max().item<double>();
      EXPECT_LE((got - expected_ri).abs().max().item<double>(), 1e-5 * scale) << c["file"];
      ++checked;
    }
    // The golden set keeps 4 of the 5 cases (a few frames each); the shared set has all 5.
    EXPECT_EQ(checked, test::is_golden(root) ? 4 : 5);
  }
}

TEST(Stft, CentredFramesCountOnePlusSamplesOverHop) {
  StftSettings s;  // 1380 / 690, centred
  EXPECT_EQ(s.n_frames(88200), 128);
  EXPECT_EQ(s.n_frames(11025), 16);
  EXPECT_EQ(s.n_frames(176400), 256);
  EXPECT_EQ(stft(torch::zeros({88200}), s).sizes(), (std::vector<int64_t>{691, 128}));
  EXPECT_EQ(stft(torch::zeros({3, 1000}), s).sizes(), (std::vector<int64_t>{3, 691, 2}));
  s.center = false;
  EXPECT_EQ(s.n_frames(1379), 0);
  EXPECT_EQ(s.n_frames(1380 + 690), 2);
}

TEST(HannWindow, IsPeriodicAndCentredInTheFft) {
  StftSettings s;
  s.n_fft = 16;
  s.win_length = 16;
  const auto w = hann_window(s);
  for (int n = 0; n < 16; ++n) EXPECT_NEAR(w[n].item<double>(), 0.5 - 0.5 * std::cos(2 * kPi * n / 16), 1e-6);  // float32 window
  s.win_length = 8;
  const auto c = hann_window(s);
  EXPECT_EQ(c.size(0), 16);
  EXPECT_EQ(c.narrow(0, 0, 4).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(c.narrow(0, 12, 4).abs().sum().item<double>(), 0.0);
  EXPECT_NEAR(c[8].item<double>(), 1.0, 1e-7);  // the peak of an 8-point periodic Hann at 4 + 4
}

TEST(Stft, ASineLandsInItsBin) {
  StftSettings s;
  const int sr = 44100;
  const int bin = 40;  // 40 · 44100/1380 Hz, exactly on a bin
  const double hz = bin * static_cast<double>(sr) / s.n_fft;
  const auto t = torch::arange(44100, torch::kFloat64) / sr;
  const auto x = (0.5 * torch::sin(2 * kPi * hz * t)).to(torch::kFloat32);
  const auto mag = stft(x, s).abs();
  const auto middle = mag.select(1, 30);
  EXPECT_EQ(middle.argmax().item<int64_t>(), bin);
  // Periodic Hann: amplitude/2 · Σw = 0.5/2 · 690 at the bin, half that at its neighbours.
  EXPECT_NEAR(middle[bin].item<double>(), 0.25 * 690, 0.5);
  EXPECT_NEAR(middle[bin + 1].item<double>(), 0.125 * 690, 0.5);
  EXPECT_LT(middle[bin + 3].item<double>(), 1e-2);
}

TEST(Stft, RoundTripThroughIstftRecoversTheSignal) {
  StftSettings s;
  torch::manual_seed(3);
  const auto x = torch::randn({2, 20000}) * 0.1;
  const auto y = istft(stft(x, s), s, 20000);
  EXPECT_LE((y - x).abs().max().item<double>(), 1e-4);  // float32 FFTs of 1380 points
}

TEST(Stft, RefusesBadShapes) {
  StftSettings s;
  EXPECT_THROW(stft(torch::zeros({1, 2, 3}), s), ShapeError);
  EXPECT_THROW(stft(torch::zeros({100}), s, torch::ones({100})), ShapeError);
  s.center = false;
  EXPECT_THROW(stft(torch::zeros({100}), s), ShapeError);
}

}  // namespace
}  // namespace mh::dsp
