#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/errors.hpp"
#include "dsp/inversion_settings.hpp"
#include "dsp/mel_settings.hpp"

namespace mh::dsp {
namespace {

/// Runs `f`, expects a SettingsError, and returns its message ("" if none was thrown).
std::string settings_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SettingsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no SettingsError";
  return "";
}

::testing::AssertionResult names(const std::string& message, std::initializer_list<const char*> parts) {
  for (const char* p : parts) {
    if (message.find(p) == std::string::npos) {
      return ::testing::AssertionFailure() << "'" << message << "' lacks '" << p << "'";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(MelSettings, DefaultsAreTheOriginalsAndValid) {
  const MelSettings s;
  EXPECT_NO_THROW(s.validate());
  EXPECT_EQ(s.sample_rate_hz, 44100);
  EXPECT_EQ(s.stft.n_fft, 1380);
  EXPECT_EQ(s.stft.win_length, 1380);
  EXPECT_EQ(s.stft.hop_length, 690);
  EXPECT_TRUE(s.stft.center);
  EXPECT_EQ(s.n_mels, 128);
  EXPECT_EQ(s.fmax_hz, 16000);
  EXPECT_EQ(s.top_db, 80);
  EXPECT_EQ(s.db_floor, -100);
  EXPECT_EQ(s.db_ceiling, 100);
}

TEST(MelSettings, HopZeroIsRefusedNamingTheFieldAndRange) {
  MelSettings s;
  s.stft.hop_length = 0;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"hop_length", "= 0", "[1, 1380]"}));
}

TEST(MelSettings, WindowLongerThanTheFftIsRefused) {
  MelSettings s;
  s.stft.win_length = 2048;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"win_length", "2048", "[1, 1380]"}));
}

TEST(MelSettings, FmaxAboveNyquistIsRefused) {
  MelSettings s;
  s.sample_rate_hz = 22050;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"fmax_hz", "16000", "11025"}));
}

TEST(MelSettings, OtherOutOfRangeFieldsAreNamed) {
  MelSettings s;
  s.fmin_hz = 16000;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"fmin_hz", "16000"}));
  s = MelSettings{};
  s.n_mels = 0;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"n_mels", "= 0", "[1, 691]"}));
  s = MelSettings{};
  s.amin = 0;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"amin", "(0, 1]"}));
  s = MelSettings{};
  s.db_ceiling = -100;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"db_ceiling", "-100"}));
  s = MelSettings{};
  s.sample_rate_hz = 100;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"sample_rate_hz", "100"}));
  s = MelSettings{};
  s.stft.n_fft = 8;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"n_fft", "8"}));
}

TEST(MelSettings, NonPositiveTopDbMeansNoFloorAndIsValid) {
  MelSettings s;
  s.top_db = 0;
  EXPECT_NO_THROW(s.validate());
  s.top_db = -1;
  EXPECT_NO_THROW(s.validate());
}

TEST(SnippetSettings, SecondsOutsideAQuarterToFourAreRefused) {
  SnippetSettings s;
  EXPECT_NO_THROW(s.validate());
  s.seconds = 0.2;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"snippet.seconds", "0.2", "[0.25, 4]"}));
  s.seconds = 4.5;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"snippet.seconds", "4.5"}));
  s = SnippetSettings{};
  s.silence_threshold_dbfs = 3;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"silence_threshold_dbfs", "3"}));
  s = SnippetSettings{};
  s.silence_window_seconds = 0;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"silence_window_seconds"}));
}

TEST(MelSettings, TooManyBandsForTheFftAreRefusedNamingTheLimit) {
  MelSettings s;
  s.n_mels = 692;
  EXPECT_TRUE(names(settings_error_of([&] { s.validate(); }), {"mel.n_mels = 692", "[1, 691]"}));
  s.stft.n_fft = s.stft.win_length = 2048;
  EXPECT_NO_THROW(s.validate());
}

/// The message of validating the defaults changed by `change`.
template <typename Settings>
std::string error_after(const std::function<void(Settings&)>& change) {
  Settings s;
  change(s);
  return settings_error_of([&] { s.validate(); });
}

TEST(MelSettings, FloorAboveCeilingAndOpenAminAreRefused) {
  EXPECT_TRUE(
      names(error_after<MelSettings>([](auto& s) { s.db_floor = 100; }), {"mel.db_ceiling = 100", "(100, 1000]"}));
  EXPECT_TRUE(names(error_after<MelSettings>([](auto& s) { s.amin = 1.5; }), {"mel.amin = 1.5", "(0, 1]"}));
  MelSettings top;
  top.amin = 1;
  EXPECT_NO_THROW(top.validate());
}

// The voice settings are the [voice] table of a settings file: errors name them so.
TEST(InversionSettings, OutOfRangeFieldsAreNamedAsTheVoiceTableSpellsThem) {
  EXPECT_NO_THROW(InversionSettings{}.validate());
  using Change = std::function<void(InversionSettings&)>;
  const std::pair<Change, std::string> cases[] = {
      {[](auto& s) { s.griffin_lim_iterations = -1; },
       "voice.griffin_lim_iterations = -1 is out of range: allowed [0, 10000]"},
      {[](auto& s) { s.pinv_rcond = 1; }, "voice.pinv_rcond = 1 is out of range: allowed (0, 1)"},
      {[](auto& s) { s.pinv_rcond = 0; }, "voice.pinv_rcond = 0 is out of range: allowed (0, 1)"},
      {[](auto& s) { s.crossfade_samples = (1 << 20) + 1; },
       "voice.crossfade_samples = 1048577 is out of range: allowed [0, 1048576]"},
      {[](auto& s) { s.nnls_warm_start_iterations = -2; },
       "voice.nnls_warm_start_iterations = -2 is out of range: allowed [0, 100000]"},
  };
  for (const auto& [change, message] : cases) EXPECT_EQ(error_after(change), message);
}

TEST(SnippetSettings, SnippetSamplesAreRoundedSecondsTimesRate) {
  SnippetSettings s;
  EXPECT_EQ(s.snippet_samples(44100), 88200);
  s.seconds = 0.25;
  EXPECT_EQ(s.snippet_samples(44100), 11025);
  EXPECT_EQ(s.snippet_samples(22050), 5513);  // 5512.5 rounds away from zero
  EXPECT_EQ(s.silence_window_samples(44100), 88200);
}

TEST(FrontEndPreset, FrameCountsAreThoseInTheNames) {
  EXPECT_EQ(front_end_preset("0.25_16").frames(), 16);
  EXPECT_EQ(front_end_preset("2.0_128").frames(), 128);
  EXPECT_EQ(front_end_preset("4.0_256").frames(), 256);
  EXPECT_EQ(FrontEndSettings{}.frames(), 128);
  for (const auto& name : front_end_preset_names()) {
    const auto s = front_end_preset(name);
    EXPECT_NO_THROW(s.validate()) << name;
    EXPECT_EQ(s.mel.sample_rate_hz, 44100) << name;
    // The name is "<seconds>_<frames>".
    EXPECT_EQ(name.substr(name.find('_') + 1), std::to_string(s.frames())) << name;
    EXPECT_DOUBLE_EQ(std::stod(name.substr(0, name.find('_'))), s.snippet.seconds) << name;
  }
}

TEST(FrontEndPreset, TheDefaultPresetIsTheDefaultSettings) {
  const auto p = front_end_preset("2.0_128");
  const FrontEndSettings d;
  EXPECT_EQ(p.snippet.seconds, d.snippet.seconds);
  EXPECT_EQ(p.mel.stft.hop_length, d.mel.stft.hop_length);
  EXPECT_EQ(front_end_preset_names().size(), 5u);
}

TEST(FrontEndPreset, AnUnknownNameListsTheAllowedOnes) {
  EXPECT_TRUE(names(settings_error_of([] { front_end_preset("3.0_192"); }),
                    {"3.0_192", "0.25_16", "2.0_128", "4.0_256"}));
}

TEST(FrontEndSettings, ValidateChecksBothParts) {
  FrontEndSettings s;
  EXPECT_NO_THROW(s.validate());
  s.snippet.seconds = 10;
  EXPECT_THROW(s.validate(), SettingsError);
  s = FrontEndSettings{};
  s.mel.stft.hop_length = 0;
  EXPECT_THROW(s.validate(), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
