#include "audio/read_audio.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "audio/write_wav.hpp"
#include "audio_test_util.hpp"
#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh::audio {
namespace {

using test::dominant_frequency_hz;
using test::expect_audio_error;
using test::sine;
using test::write_with_sndfile;

struct EncodedFormat {
  const char* name;
  int format;
  int rate_hz;
  double tolerance;  // largest sample error a lossless codec may leave; < 0: lossy, not compared
};

class ReadAudioFormats : public ::testing::TestWithParam<EncodedFormat> {};

TEST_P(ReadAudioFormats, DecodesASineAtItsFrequencyAndLength) {
  const auto& p = GetParam();
  if (!test::can_write(p.format, p.rate_hz)) GTEST_SKIP() << "this libsndfile cannot encode " << p.name;
  mh::test::TempDir dir;
  const auto path = dir / (std::string("tone.") + p.name);
  const auto x = sine(440.0, p.rate_hz, 1.0);
  write_with_sndfile(path, p.format, p.rate_hz, 1, x);

  const auto audio = read_audio(path);
  EXPECT_EQ(audio.sample_rate_hz, p.rate_hz);
  EXPECT_EQ(audio.samples.scalar_type(), torch::kFloat32);
  EXPECT_EQ(audio.samples.dim(), 1);
  EXPECT_TRUE(audio.warnings.empty());
  // Lossy codecs may add or drop some padding; the length must still be about right.
  EXPECT_NEAR(static_cast<double>(audio.samples.numel()), static_cast<double>(x.size()), 0.03 * p.rate_hz);
  EXPECT_NEAR(dominant_frequency_hz(audio.samples, audio.sample_rate_hz), 440.0, 1.0);
  if (p.tolerance >= 0) {
    ASSERT_EQ(audio.samples.numel(), static_cast<int64_t>(x.size()));
    const auto expected = torch::from_blob(const_cast<float*>(x.data()), {static_cast<int64_t>(x.size())});
    EXPECT_LE((audio.samples - expected).abs().max().item<double>(), p.tolerance);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, ReadAudioFormats,
    ::testing::Values(EncodedFormat{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1.0 / 32768},
                      EncodedFormat{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 48000, 1.0 / 8388608 * 2},
                      EncodedFormat{"aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 22050, 1.0 / 32768},
                      EncodedFormat{"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, -1.0},
                      EncodedFormat{"opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, -1.0},
                      EncodedFormat{"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, -1.0}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ReadAudio, AveragesStereoChannelsToMono) {
  mh::test::TempDir dir;
  std::vector<float> interleaved;
  for (int i = 0; i < 1000; ++i) {
    interleaved.push_back(0.5f);
    interleaved.push_back(-0.25f);
  }
  write_with_sndfile(dir / "st.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 2, interleaved);
  const auto audio = read_audio(dir / "st.wav");
  ASSERT_EQ(audio.samples.numel(), 1000);
  EXPECT_NEAR(audio.samples.min().item<float>(), 0.125f, 1e-7);
  EXPECT_NEAR(audio.samples.max().item<float>(), 0.125f, 1e-7);
}

TEST(ReadAudio, AveragesEightChannelsToMono) {
  mh::test::TempDir dir;
  std::vector<float> interleaved;
  for (int i = 0; i < 500; ++i) {
    for (int c = 0; c < 8; ++c) interleaved.push_back(0.1f * static_cast<float>(c));  // mean 0.35
  }
  write_with_sndfile(dir / "eight.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 8, interleaved);
  const auto audio = read_audio(dir / "eight.wav");
  ASSERT_EQ(audio.samples.numel(), 500);
  EXPECT_NEAR(audio.samples.mean().item<double>(), 0.35, 1e-6);
  EXPECT_NEAR((audio.samples - 0.35).abs().max().item<double>(), 0.0, 1e-6);
}

class ReadAudioRates : public ::testing::TestWithParam<int> {};

TEST_P(ReadAudioRates, ResamplesTo44100KeepingFrequencyAndDuration) {
  const int rate = GetParam();
  mh::test::TempDir dir;
  const auto path = dir / "tone.wav";
  write_with_sndfile(path, SF_FORMAT_WAV | SF_FORMAT_PCM_24, rate, 1, sine(1000.0, rate, 0.5));
  const auto audio = read_audio(path, 44100);
  EXPECT_EQ(audio.sample_rate_hz, 44100);
  EXPECT_EQ(audio.samples.numel(), 22050);
  EXPECT_NEAR(dominant_frequency_hz(audio.samples, 44100), 1000.0, 0.5);
  // Not a pitch-shifted copy: the level is kept (0.5 amplitude → RMS 0.354) away from the edges.
  const auto middle = audio.samples.slice(0, 2000, 20000);
  EXPECT_NEAR(middle.pow(2).mean().sqrt().item<double>(), 0.5 / std::sqrt(2.0), 0.005);
}

INSTANTIATE_TEST_SUITE_P(InputRates, ReadAudioRates, ::testing::Values(8000, 22050, 44100, 192000));

TEST(ReadAudio, KeepsTheNativeRateWhenTargetIsZero) {
  mh::test::TempDir dir;
  write_with_sndfile(dir / "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, sine(440.0, 8000, 0.25));
  const auto audio = read_audio(dir / "a.wav", 0);
  EXPECT_EQ(audio.sample_rate_hz, 8000);
  EXPECT_EQ(audio.samples.numel(), 2000);
}

TEST(ReadAudio, RefusesAMissingFileNamingIt) {
  mh::test::TempDir dir;
  expect_audio_error([&] { read_audio(dir / "nope.wav"); }, dir / "nope.wav", "no such file");
}

TEST(ReadAudio, RefusesADirectory) {
  mh::test::TempDir dir;
  std::filesystem::create_directory(dir / "folder.wav");
  expect_audio_error([&] { read_audio(dir / "folder.wav"); }, dir / "folder.wav", "is a directory");
}

TEST(ReadAudio, RefusesAnEmptyFile) {
  mh::test::TempDir dir;
  test::write_text(dir / "empty.flac", "");
  expect_audio_error([&] { read_audio(dir / "empty.flac"); }, dir / "empty.flac", "empty file");
}

TEST(ReadAudio, RefusesATextFileNamedWav) {
  const auto path = mh::test::fixtures_dir() / "audio/not_audio.wav";
  expect_audio_error([&] { read_audio(path); }, path, "not a recognised audio file");
}

TEST(ReadAudio, RefusesATruncatedFlac) {
  const auto path = mh::test::fixtures_dir() / "audio/truncated.flac";
  expect_audio_error([&] { read_audio(path); }, path, "truncated");
}

TEST(ReadAudio, RefusesATruncatedOggVorbis) {
  mh::test::TempDir dir;
  write_with_sndfile(dir / "full.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 1, sine(440.0, 44100, 2.0));
  std::ifstream in(dir / "full.ogg", std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  test::write_text(dir / "cut.ogg", data.substr(0, data.size() / 2));
  expect_audio_error([&] { read_audio(dir / "cut.ogg"); }, dir / "cut.ogg", "truncated");
}

TEST(ReadAudio, KeepsWhatATruncatedWavHoldsAndWarns) {
  mh::test::TempDir dir;
  write_with_sndfile(dir / "full.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, sine(440.0, 8000, 1.0));
  std::ifstream in(dir / "full.wav", std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  test::write_text(dir / "cut.wav", data.substr(0, 44 + 2 * 4000));
  const auto audio = read_audio(dir / "cut.wav");
  EXPECT_EQ(audio.samples.numel(), 4000);
  ASSERT_EQ(audio.warnings.size(), 1u);
  EXPECT_EQ(audio.warnings[0].rfind((dir / "cut.wav").string(), 0), 0u);
  EXPECT_NE(audio.warnings[0].find("truncated"), std::string::npos) << audio.warnings[0];
}

TEST(ReadAudio, RefusesZeroLengthAudio) {
  const auto path = mh::test::fixtures_dir() / "audio/zero_frames.wav";
  expect_audio_error([&] { read_audio(path); }, path, "no audio");
}

TEST(ReadAudio, RefusesNaNSamples) {
  const auto path = mh::test::fixtures_dir() / "audio/nan_float.wav";
  expect_audio_error([&] { read_audio(path); }, path, "NaN or infinite samples (first at frame 37");
}

TEST(ReadAudio, RefusesInfiniteSamples) {
  const auto path = mh::test::fixtures_dir() / "audio/inf_float.wav";
  expect_audio_error([&] { read_audio(path); }, path, "NaN or infinite samples (first at frame 50");
}

TEST(ReadAudio, RefusesAFileLongerThanTheLimit) {
  mh::test::TempDir dir;
  write_with_sndfile(dir / "long.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, sine(440.0, 8000, 2.0));
  expect_audio_error([&] { read_audio(dir / "long.wav", 0, 1.5); }, dir / "long.wav", "longer than the limit");
  EXPECT_EQ(read_audio(dir / "long.wav", 0, 2.0).samples.numel(), 16000);
}

TEST(ReadAudio, WarnsAboutSamplesBeyondFullScale) {
  mh::test::TempDir dir;
  write_with_sndfile(dir / "hot.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, sine(440.0, 8000, 0.1, 1.5));
  const auto audio = read_audio(dir / "hot.wav");
  ASSERT_EQ(audio.warnings.size(), 1u);
  EXPECT_NE(audio.warnings[0].find("beyond full scale"), std::string::npos) << audio.warnings[0];
  EXPECT_GT(audio.samples.abs().max().item<float>(), 1.4f);
}

TEST(ReadAudio, RejectsAnUnsupportedTargetRate) {
  const auto path = mh::test::fixtures_dir() / "audio/sine_440hz_16k_stereo.ogg";
  EXPECT_THROW(read_audio(path, 10), SettingsError);
  EXPECT_THROW(read_audio(path, 44100, 0.0), SettingsError);
}

TEST(ReadAudio, DecodesTheCommittedStereoOggFixture) {
  const auto audio = read_audio(mh::test::fixtures_dir() / "audio/sine_440hz_16k_stereo.ogg");
  EXPECT_EQ(audio.sample_rate_hz, 16000);
  EXPECT_NEAR(static_cast<double>(audio.samples.numel()), 8000.0, 200.0);
  EXPECT_NEAR(dominant_frequency_hz(audio.samples, 16000), 440.0, 2.0);
}

TEST(ReadAudio, ReadsWhatWriteWavWrote) {
  mh::test::TempDir dir;
  const auto x = torch::sin(torch::arange(4000, torch::kFloat32) * (2.0 * M_PI * 300.0 / 16000.0)) * 0.25;
  write_wav(dir / "w.wav", x, 16000, SampleFormat::kFloat32);
  const auto audio = read_audio(dir / "w.wav");
  EXPECT_TRUE(torch::equal(audio.samples, x));
}

}  // namespace
}  // namespace mh::audio
