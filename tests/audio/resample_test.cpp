#include "audio/resample.hpp"

#include <gtest/gtest.h>

#include "audio_test_util.hpp"
#include "core/errors.hpp"

namespace mh::audio {
namespace {

using test::dominant_frequency_hz;

torch::Tensor tone(double freq_hz, int rate_hz, double seconds) {
  const auto x = test::sine(freq_hz, rate_hz, seconds);
  return torch::from_blob(const_cast<float*>(x.data()), {static_cast<int64_t>(x.size())}).clone();
}

TEST(Resample, UpsamplingFrom8kKeepsFrequencyAndDuration) {
  const auto y = resample(tone(440.0, 8000, 1.0), 8000, 44100);
  EXPECT_EQ(y.numel(), 44100);
  EXPECT_NEAR(dominant_frequency_hz(y, 44100), 440.0, 0.2);
}

TEST(Resample, DownsamplingFrom192kKeepsFrequencyAndDuration) {
  const auto y = resample(tone(5000.0, 192000, 0.5), 192000, 44100);
  EXPECT_EQ(y.numel(), 22050);
  EXPECT_NEAR(dominant_frequency_hz(y, 44100), 5000.0, 0.5);
}

TEST(Resample, RemovesContentAboveTheNewNyquistFrequency) {
  // 30 kHz cannot exist at 44.1 kHz; it must be filtered out, not folded to 14.1 kHz.
  const auto y = resample(tone(30000.0, 96000, 0.25), 96000, 44100);
  ASSERT_EQ(y.numel(), 11025);
  // Away from the abrupt start and end, whose clicks do have audible content.
  EXPECT_LT(y.slice(0, 1000, 10000).abs().max().item<float>(), 1e-4);
}

TEST(Resample, IsDeterministic) {
  const auto x = torch::randn({12345}, torch::TensorOptions().dtype(torch::kFloat32)) * 0.1;
  EXPECT_TRUE(torch::equal(resample(x, 48000, 22050), resample(x, 48000, 22050)));
}

TEST(Resample, KeepsTheSignalAlignedInTime) {
  // An impulse in the middle stays in the middle: the filter's delay is compensated.
  auto x = torch::zeros({4800});
  x[2400] = 1.0;
  const auto y = resample(x, 48000, 16000);
  EXPECT_EQ(y.numel(), 1600);
  EXPECT_EQ(y.abs().argmax().item<int64_t>(), 800);
}

TEST(Resample, EqualRatesReturnAFloatCopy) {
  const auto x = torch::linspace(-1, 1, 100, torch::kFloat64);
  const auto y = resample(x, 22050, 22050);
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(y, x.to(torch::kFloat32)));
}

TEST(Resample, ReturnsTheResultOnTheInputsDevice) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto x = tone(440.0, 8000, 0.1);
  const auto y = resample(x.to(torch::kCUDA), 8000, 16000);
  EXPECT_TRUE(y.is_cuda());
  EXPECT_TRUE(torch::equal(y.cpu(), resample(x, 8000, 16000)));
}

TEST(Resample, EmptyInputGivesEmptyOutput) { EXPECT_EQ(resample(torch::zeros({0}), 8000, 16000).numel(), 0); }

TEST(Resample, RefusesBadShapesAndRates) {
  EXPECT_THROW(resample(torch::zeros({2, 10}), 8000, 16000), ShapeError);
  EXPECT_THROW(resample(torch::zeros({10}), 0, 16000), SettingsError);
  EXPECT_THROW(resample(torch::zeros({10}), 8000, 10000000), SettingsError);
}

}  // namespace
}  // namespace mh::audio
