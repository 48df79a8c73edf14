#include "audio/write_wav.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "audio/read_audio.hpp"
#include "audio_test_util.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh::audio {
namespace {

using test::expect_audio_error;

torch::Tensor tone(double amplitude, int64_t n = 8000, int rate_hz = 16000, double freq_hz = 441.0) {
  return torch::sin(torch::arange(n, torch::kFloat64) * (2.0 * M_PI * freq_hz / rate_hz)).to(torch::kFloat32) *
         amplitude;
}

struct FormatCase {
  SampleFormat format;
  double tolerance;
  int sndfile_subtype;
};

class WriteWavFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(WriteWavFormats, RoundTripsWithinTheFormatsResolution) {
  const auto& p = GetParam();
  mh::test::TempDir dir;
  const auto x = tone(0.5);
  const auto report = write_wav(dir / "x.wav", x, 16000, p.format);
  EXPECT_FALSE(report.limited);
  EXPECT_EQ(report.gain, 1.0);
  const auto back = read_audio(dir / "x.wav");
  EXPECT_EQ(back.sample_rate_hz, 16000);
  ASSERT_EQ(back.samples.numel(), x.numel());
  EXPECT_LE((back.samples - x).abs().max().item<double>(), p.tolerance);

  SF_INFO info{};
  SNDFILE* file = sf_open((dir / "x.wav").c_str(), SFM_READ, &info);
  ASSERT_NE(file, nullptr);
  sf_close(file);
  EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
  EXPECT_EQ(info.format & SF_FORMAT_SUBMASK, p.sndfile_subtype);
  EXPECT_EQ(info.channels, 1);
}

INSTANTIATE_TEST_SUITE_P(Formats, WriteWavFormats,
                         ::testing::Values(FormatCase{SampleFormat::kPcm16, 1.0 / 32767, SF_FORMAT_PCM_16},
                                           FormatCase{SampleFormat::kPcm24, 1.0 / 8388607, SF_FORMAT_PCM_24},
                                           FormatCase{SampleFormat::kFloat32, 0.0, SF_FORMAT_FLOAT}));

TEST(WriteWav, PeakLimitingNeverWrapsSixteenBitSamples) {
  mh::test::TempDir dir;
  const auto x = tone(2.0);
  const auto report = write_wav(dir / "loud.wav", x, 16000, SampleFormat::kPcm16, LevelPolicy::kPeakLimit, 0.0);
  EXPECT_TRUE(report.limited);
  EXPECT_NEAR(report.input_peak, 2.0, 1e-3);
  EXPECT_NEAR(report.gain, 1.0 / report.input_peak, 1e-12);
  const auto back = read_audio(dir / "loud.wav").samples;
  EXPECT_LE(back.abs().max().item<float>(), 1.0f);
  EXPECT_GT(back.abs().max().item<float>(), 0.999f);
  // A wrapped sample flips sign: every sample must keep the sign of the input where it is not tiny.
  const auto big = x.abs() > 0.01;
  EXPECT_TRUE(torch::equal(torch::sign(back.masked_select(big)), torch::sign(x.masked_select(big))));
  EXPECT_LE((back - x * report.gain).abs().max().item<double>(), 1.0 / 32767);
}

TEST(WriteWav, PeakLimitingLeavesQuietSignalsUnchanged) {
  mh::test::TempDir dir;
  const auto report = write_wav(dir / "q.wav", tone(0.25), 16000);
  EXPECT_FALSE(report.limited);
  EXPECT_EQ(report.gain, 1.0);
  EXPECT_NE(report.describe().find("unchanged"), std::string::npos) << report.describe();
}

TEST(WriteWav, NormalisingPutsThePeakAtTheCeiling) {
  mh::test::TempDir dir;
  for (const double amplitude : {0.1, 3.0}) {
    const auto report =
        write_wav(dir / "n.wav", tone(amplitude), 16000, SampleFormat::kPcm24, LevelPolicy::kNormalize, -3.0);
    EXPECT_EQ(report.limited, amplitude > 1.0);
    const auto back = read_audio(dir / "n.wav").samples;
    EXPECT_NEAR(back.abs().max().item<double>(), std::pow(10.0, -3.0 / 20.0), 1e-5) << amplitude;
  }
}

TEST(WriteWav, TheReportSaysWhatWasDone) {
  mh::test::TempDir dir;
  const auto report = write_wav(dir / "r.wav", tone(2.0), 16000);
  EXPECT_NE(report.describe().find("limited"), std::string::npos) << report.describe();
  EXPECT_NE(report.describe().find("-1.0 dBFS"), std::string::npos) << report.describe();
  const auto silent = write_wav(dir / "s.wav", torch::zeros({100}), 16000, SampleFormat::kPcm16,
                                LevelPolicy::kNormalize);
  EXPECT_EQ(silent.gain, 1.0);
  EXPECT_NE(silent.describe().find("silence"), std::string::npos);
}

TEST(WriteWav, EqualAudioGivesByteIdenticalFiles) {
  mh::test::TempDir dir;
  for (const auto format : {SampleFormat::kPcm16, SampleFormat::kFloat32}) {
    write_wav(dir / "a.wav", tone(0.7), 16000, format);
    write_wav(dir / "b.wav", tone(0.7), 16000, format);
    EXPECT_EQ(read_file(dir / "a.wav"), read_file(dir / "b.wav"));
  }
}

TEST(WriteWav, WritesAtomicallyLeavingNoTemporaryFiles) {
  mh::test::TempDir dir;
  write_wav(dir / "sub/a.wav", tone(0.5), 16000);
  write_wav(dir / "sub/a.wav", tone(0.2, 100), 16000);
  EXPECT_EQ(read_audio(dir / "sub/a.wav").samples.numel(), 100);
  int count = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "sub")) ++count;
  EXPECT_EQ(count, 1);
}

TEST(WriteWav, RefusesNonFiniteSamplesNamingTheFile) {
  mh::test::TempDir dir;
  auto x = tone(0.5, 100);
  x[10] = std::numeric_limits<float>::quiet_NaN();
  expect_audio_error([&] { write_wav(dir / "nan.wav", x, 16000); }, dir / "nan.wav", "sample 10");
  EXPECT_FALSE(std::filesystem::exists(dir / "nan.wav"));
}

TEST(WriteWav, RefusesBadShapesAndSettings) {
  mh::test::TempDir dir;
  EXPECT_THROW(write_wav(dir / "a.wav", torch::zeros({2, 10}), 16000), ShapeError);
  EXPECT_THROW(write_wav(dir / "a.wav", torch::zeros({10}), 0), SettingsError);
  EXPECT_THROW(write_wav(dir / "a.wav", torch::zeros({10}), 16000, SampleFormat::kPcm16, LevelPolicy::kPeakLimit, 1.0),
               SettingsError);
}

TEST(WriteWav, ReportsAnUnwritableDestinationAsIoError) {
  mh::test::TempDir dir;
  test::write_text(dir / "file", "x");
  EXPECT_THROW(write_wav(dir / "file/a.wav", tone(0.5, 10), 16000), IoError);
}

}  // namespace
}  // namespace mh::audio
