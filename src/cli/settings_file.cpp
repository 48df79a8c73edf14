#include "cli/settings_file.hpp"

#include <fmt/format.h>

#include <sstream>

#include "core/files.hpp"
#include "core/toml_section.hpp"
#include "dsp/settings_toml.hpp"

namespace mh::cli {

void ProgramSettings::validate() const {
  front_end.validate();
  voice.validate();
}

ProgramSettings load_program_settings(const std::string& settings_path, const std::string& preset) {
  ProgramSettings settings;
  if (settings_path.empty()) {
    settings.front_end = dsp::front_end_preset(preset);
    settings.validate();
    return settings;
  }
  const auto doc = parse_toml(read_file(settings_path, 1 << 20), settings_path);
  TomlSection root(&doc, "");
  std::string base = preset;
  root.read("preset", base);
  try {
    settings.front_end = dsp::front_end_preset(base);
    auto mel = root.section("mel");
    dsp::read_toml(mel, settings.front_end.mel);
    auto snippet = root.section("snippet");
    dsp::read_toml(snippet, settings.front_end.snippet);
    auto voice = root.section("voice");
    dsp::read_toml(voice, settings.voice);
    root.reject_unknown_keys();
    settings.validate();
  } catch (const SettingsError& e) {
    throw SettingsError(fmt::format("{}: {}", settings_path, e.what()));
  }
  return settings;
}

std::string to_toml_text(const ProgramSettings& settings) {
  const toml::table doc{{"mel", dsp::to_toml(settings.front_end.mel)},
                        {"snippet", dsp::to_toml(settings.front_end.snippet)},
                        {"voice", dsp::to_toml(settings.voice)}};
  std::ostringstream out;
  out << "# Effective settings of this output (Meta Human " << METAHUMAN_VERSION << ")\n" << doc << "\n";
  return out.str();
}

void save_settings_beside(const std::filesystem::path& output, const ProgramSettings& settings) {
  write_file_atomic(output.string() + ".settings.toml", to_toml_text(settings));
}

}  // namespace mh::cli
