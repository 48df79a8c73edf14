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
