#pragma once
/// Everything an agent is configured with, read from and written to its `agent.toml`. Each
/// agent has its own: sample rate, snippet length, model presets, variation σ, dream budget.
#include <toml++/toml.h>

#include <filesystem>
#include <string>

#include "corpus/ingest.hpp"
#include "dsp/inversion_settings.hpp"
#include "dsp/mel_settings.hpp"
#include "model/ml1_settings.hpp"
#include "model/ml2_settings.hpp"

namespace mh::agent {

struct AgentSettings {
  std::string name = "Valerio";
  std::string preset = "2.0_128";  ///< front-end preset the [mel] and [snippet] tables start from
  std::string device = "auto";     ///< auto | cpu | cuda
  dsp::FrontEndSettings front_end = dsp::front_end_preset("2.0_128");
  dsp::InversionSettings voice;
  corpus::IngestSettings ingest;
  model::Ml1Settings ml1;
  model::Ml2Settings ml2;

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// Settings from TOML text: defaults, then the file's `preset`, then its tables ([mel],
/// [snippet], [voice], [ingest], [ml1], [ml2]). Unknown keys are errors. Throws SettingsError
/// prefixed with `source`.
AgentSettings parse_agent_settings(const std::string& text, const std::string& source);
AgentSettings load_agent_settings(const std::filesystem::path& path);
std::string to_toml_text(const AgentSettings& settings);
/// Every setting of agent.toml with its default, meaning and allowed values, one per line under
/// its "[table]" (`agent new --describe-settings`).
std::string describe_agent_settings();
/// Written atomically.
void save_agent_settings(const std::filesystem::path& path, const AgentSettings& settings);

}  // namespace mh::agent
