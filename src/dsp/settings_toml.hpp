#pragma once
/// TOML ⇄ DSP settings. Reading starts from the values already in the struct (defaults or a
/// preset) and overrides only the keys present; unknown keys are errors. No file I/O here.
#include <toml++/toml.h>

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

}  // namespace mh::dsp
