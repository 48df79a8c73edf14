#pragma once
/// The settings a command runs with: defaults, then a preset, then a TOML file. The effective
/// settings are written beside every output as `<output>.settings.toml`.
#include <filesystem>
#include <string>

#include "dsp/inversion_settings.hpp"
#include "dsp/mel_settings.hpp"

namespace mh::cli {

struct ProgramSettings {
  dsp::FrontEndSettings front_end;
  dsp::InversionSettings voice;
  void validate() const;
};

/// `settings_path` empty: the preset's settings. Otherwise the file (its optional top-level
/// `preset` key first, then its [mel], [snippet] and [voice] tables). Throws SettingsError
/// naming the file and the field.
ProgramSettings load_program_settings(const std::string& settings_path, const std::string& preset);

/// Writes `<output>.settings.toml` atomically.
void save_settings_beside(const std::filesystem::path& output, const ProgramSettings& settings);

std::string to_toml_text(const ProgramSettings& settings);

}  // namespace mh::cli
