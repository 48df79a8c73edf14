#include "dsp/settings_toml.hpp"

#include "core/settings_fields.hpp"

namespace mh::dsp {

void read_toml(TomlSection& t, MelSettings& out) {
  read_fields(mel_fields(), t, out);
  read_fields(stft_fields(), t, out.stft);
  t.reject_unknown_keys();
}

void read_toml(TomlSection& t, SnippetSettings& out) {
  read_fields(snippet_fields(), t, out);
  t.reject_unknown_keys();
}

void read_toml(TomlSection& t, InversionSettings& out) {
  read_fields(voice_fields(), t, out);
  t.reject_unknown_keys();
}

toml::table to_toml(const MelSettings& s) {
  toml::table t;
  write_fields(mel_fields(), s, t);
  write_fields(stft_fields(), s.stft, t);
  return t;
}

toml::table to_toml(const SnippetSettings& s) {
  toml::table t;
  write_fields(snippet_fields(), s, t);
  return t;
}

toml::table to_toml(const InversionSettings& s) {
  toml::table t;
  write_fields(voice_fields(), s, t);
  return t;
}

void read_front_end_and_voice(TomlSection& root, FrontEndSettings& front_end, InversionSettings& voice) {
  auto mel = root.section("mel");
  read_toml(mel, front_end.mel);
  auto snippet = root.section("snippet");
  read_toml(snippet, front_end.snippet);
  auto voice_table = root.section("voice");
  read_toml(voice_table, voice);
}

void write_front_end_and_voice(const FrontEndSettings& front_end, const InversionSettings& voice, toml::table& root) {
  root.insert_or_assign("mel", to_toml(front_end.mel));
  root.insert_or_assign("snippet", to_toml(front_end.snippet));
  root.insert_or_assign("voice", to_toml(voice));
}

std::string describe_front_end_and_voice(const FrontEndSettings& front_end, const InversionSettings& voice) {
  return "[mel]\n" + describe_fields(mel_fields(), front_end.mel, "") +
         describe_fields(stft_fields(), front_end.mel.stft, "") + "[snippet]\n" +
         describe_fields(snippet_fields(), front_end.snippet, "") + "[voice]\n" +
         describe_fields(voice_fields(), voice, "");
}

}  // namespace mh::dsp
