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
    dsp::read_front_end_and_voice(root, settings.front_end, settings.voice);
    root.reject_unknown_keys();
    settings.validate();
  } catch (const SettingsError& e) {
    throw SettingsError(fmt::format("{}: {}", settings_path, e.what()));
  }
  return settings;
}

std::string to_toml_text(const ProgramSettings& settings) {
  toml::table doc;
  dsp::write_front_end_and_voice(settings.front_end, settings.voice, doc);
  std::ostringstream out;
  out << "# Effective settings of this output (Meta Human " << METAHUMAN_VERSION << ")\n" << doc << "\n";
  return out.str();
}

void save_settings_beside(const std::filesystem::path& output, const ProgramSettings& settings) {
  write_file_atomic(output.string() + ".settings.toml", to_toml_text(settings));
}

}  // namespace mh::cli
