#pragma once
/// TOML ⇄ DSP settings, through the settings' field tables. Reading starts from the values already
/// in the struct (defaults or a preset) and overrides only the keys present; unknown keys are
/// errors. No file I/O here.
#include <toml++/toml.h>

#include <string>

#include "core/toml_section.hpp"
#include "dsp/inversion_settings.hpp"
#include "dsp/mel_settings.hpp"

namespace mh::dsp {

void read_toml(TomlSection& mel_table, MelSettings& out);
void read_toml(TomlSection& snippet_table, SnippetSettings& out);
void read_toml(TomlSection& voice_table, InversionSettings& out);

toml::table to_toml(const MelSettings& s);
toml::table to_toml(const SnippetSettings& s);
toml::table to_toml(const InversionSettings& s);

/// The [mel], [snippet] and [voice] tables of a settings file (agent.toml, *.settings.toml).
void read_front_end_and_voice(TomlSection& root, FrontEndSettings& front_end, InversionSettings& voice);
void write_front_end_and_voice(const FrontEndSettings& front_end, const InversionSettings& voice, toml::table& root);
/// Those tables' fields with the given defaults, meaning and range, a "[table]" line before each.
std::string describe_front_end_and_voice(const FrontEndSettings& front_end, const InversionSettings& voice);

}  // namespace mh::dsp
