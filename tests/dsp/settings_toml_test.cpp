#include <gtest/gtest.h>

#include <sstream>

#include "core/errors.hpp"
#include "dsp/settings_toml.hpp"

namespace mh::dsp {
namespace {

template <typename Settings>
Settings read_table(const std::string& text, const std::string& table, Settings base = {}) {
  const auto doc = parse_toml(text, "test.toml");
  TomlSection root(&doc, "");
  auto section = root.section(table);
  read_toml(section, base);
  return base;
}

TEST(SettingsToml, MelTableOverridesOnlyTheKeysItHolds) {
  const auto mel = read_table<MelSettings>("[mel]\nhop_length = 345\nscale = \"htk\"\n", "mel");
  EXPECT_EQ(mel.stft.hop_length, 345);
  EXPECT_EQ(mel.scale, MelScale::kHtk);
  EXPECT_EQ(mel.stft.n_fft, 1380);
  EXPECT_EQ(mel.n_mels, 128);
}

TEST(SettingsToml, UnknownKeyIsRefusedWithItsDottedName) {
  try {
    read_table<MelSettings>("[mel]\nhop_lenght = 345\n", "mel");
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("mel.hop_lenght"), std::string::npos) << e.what();
  }
}

TEST(SettingsToml, WrongTypeAndBadChoiceAreRefused) {
  EXPECT_THROW(read_table<MelSettings>("[mel]\nn_mels = \"many\"\n", "mel"), SettingsError);
  EXPECT_THROW(read_table<InversionSettings>("[voice]\ninit = \"sometimes\"\n", "voice"), SettingsError);
}

std::string read_error(const std::string& text, const std::string& table) {
  try {
    if (table == "voice") read_table<InversionSettings>(text, table);
    if (table == "mel") read_table<MelSettings>(text, table);
    if (table == "snippet") read_table<SnippetSettings>(text, table);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

TEST(SettingsToml, AWordOutsideTheChoicesIsRefusedListingThem) {
  EXPECT_EQ(read_error("[voice]\ninit = \"sometimes\"\n", "voice"),
            "voice.init = 'sometimes' is not allowed: choose one of random, zero");
  EXPECT_EQ(read_error("[voice]\nmel_inverse = \"lsq\"\n", "voice"),
            "voice.mel_inverse = 'lsq' is not allowed: choose one of pinv, nnls");
  EXPECT_EQ(read_error("[mel]\nnorm = \"peak\"\n", "mel"),
            "mel.norm = 'peak' is not allowed: choose one of slaney, none");
  EXPECT_EQ(read_error("[mel]\nscale = \"bark\"\n", "mel"),
            "mel.scale = 'bark' is not allowed: choose one of slaney, htk");
}

TEST(SettingsToml, UnknownKeysOfEveryTableAreRefused) {
  EXPECT_EQ(read_error("[voice]\nnnls_warm_start_iterations = 3\n", "voice"),
            "unknown setting 'voice.nnls_warm_start_iterations'");
  EXPECT_EQ(read_error("[snippet]\nsecond = 2\n", "snippet"), "unknown setting 'snippet.second'");
  EXPECT_EQ(read_error("[mel]\ncenter = false\n", "mel"), "unknown setting 'mel.center'");
}

/// TOML → struct → TOML gives the text back, every key the same.
TEST(SettingsToml, ReadingAndWritingAgainGivesTheSameText) {
  const std::string text =
      "[mel]\namin = 1e-08\ndb_ceiling = 90.0\ndb_floor = -90.0\nfmax_hz = 11000.0\nfmin_hz = 30.0\n"
      "hop_length = 512\nn_fft = 2048\nn_mels = 80\nnorm = 'none'\nsample_rate_hz = 22050\nscale = 'htk'\n"
      "top_db = 70.0\nwin_length = 1024\n\n"
      "[snippet]\nseconds = 1.5\nsilence_threshold_dbfs = -50.0\nsilence_window_seconds = 0.5\n\n"
      "[voice]\nclip_db = 10.0\ncrossfade_samples = 100\ngriffin_lim_iterations = 8\ninit = 'zero'\n"
      "mel_inverse = 'pinv'\nmomentum = 0.5\nnnls_iterations = 3\npinv_rcond = 0.01";
  FrontEndSettings front;
  InversionSettings voice;
  const auto doc = parse_toml(text, "test.toml");
  TomlSection root(&doc, "");
  read_front_end_and_voice(root, front, voice);
  root.reject_unknown_keys();
  EXPECT_NO_THROW(front.validate());
  EXPECT_NO_THROW(voice.validate());
  EXPECT_EQ(front.mel.n_mels, 80);
  EXPECT_EQ(front.mel.stft.win_length, 1024);
  EXPECT_EQ(voice.method, InversionSettings::MelInverse::kPseudoInverse);
  toml::table again;
  write_front_end_and_voice(front, voice, again);
  std::ostringstream out;
  out << again;
  EXPECT_EQ(out.str(), text);
}

TEST(SettingsToml, DescribeListsEveryKeyWrittenUnderItsTable) {
  const FrontEndSettings front;
  const InversionSettings voice;
  const auto text = describe_front_end_and_voice(front, voice);
  toml::table written;
  write_front_end_and_voice(front, voice, written);
  size_t keys = 0;
  for (const auto& [table, node] : written) {
    const auto header = "[" + std::string(table.str()) + "]\n";
    const size_t at = text.find(header);
    ASSERT_NE(at, std::string::npos) << header << text;
    for (const auto& [key, value] : *node.as_table()) {
      ++keys;
      EXPECT_NE(text.find("\n" + std::string(key.str()) + " = ", at), std::string::npos) << key.str() << "\n" << text;
    }
  }
  EXPECT_EQ(keys, 24u);
  EXPECT_NE(text.find("hop_length = 690  # hop in samples, 1 to n_fft\n"), std::string::npos) << text;
  EXPECT_NE(text.find("seconds = 2  # snippet length in seconds [0.25, 4]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("init = \"random\"  # "), std::string::npos) << text;
  EXPECT_NE(text.find(" [random | zero]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pinv_rcond = 0.001  # "), std::string::npos) << text;
  EXPECT_NE(text.find("(0, 1)\n"), std::string::npos) << text;
}

TEST(SettingsToml, SyntaxErrorNamesFileAndLine) {
  try {
    parse_toml("[mel\nx = 1\n", "agent.toml");
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("agent.toml:1"), std::string::npos) << e.what();
  }
}

TEST(SettingsToml, WrittenSettingsReadBackEqual) {
  InversionSettings voice;
  voice.griffin_lim_iterations = 7;
  voice.init = InversionSettings::Init::kZero;
  MelSettings mel;
  mel.stft.hop_length = 512;
  mel.fmax_hz = 8000;
  SnippetSettings snippet;
  snippet.seconds = 4.0;
  toml::table doc{{"mel", to_toml(mel)}, {"snippet", to_toml(snippet)}, {"voice", to_toml(voice)}};
  std::ostringstream text;
  text << doc;
  const auto mel2 = read_table<MelSettings>(text.str(), "mel");
  const auto snippet2 = read_table<SnippetSettings>(text.str(), "snippet");
  const auto voice2 = read_table<InversionSettings>(text.str(), "voice");
  EXPECT_EQ(mel2.stft.hop_length, 512);
  EXPECT_DOUBLE_EQ(mel2.fmax_hz, 8000);
  EXPECT_DOUBLE_EQ(snippet2.seconds, 4.0);
  EXPECT_EQ(voice2.griffin_lim_iterations, 7);
  EXPECT_EQ(voice2.init, InversionSettings::Init::kZero);
}

}  // namespace
}  // namespace mh::dsp
