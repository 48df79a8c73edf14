// metahuman ingest: create or extend an agent's dataset with human recordings.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/new_agent_folder.hpp"
#include "cli/progress_line.hpp"
#include "core/errors.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct IngestOptions {
  std::string agent;
  std::string settings;
  std::string name;
  std::string stem;
  std::vector<std::string> inputs;
};

agent::AgentSettings new_agent_settings(const IngestOptions& o) {
  agent::AgentSettings s = o.settings.empty() ? agent::AgentSettings{} : agent::load_agent_settings(o.settings);
  if (!o.name.empty()) s.name = o.name;
  if (!o.stem.empty()) {
    s.ingest.stem = o.stem == "harmonic" ? dsp::Stem::kHarmonic
                    : o.stem == "percussive" ? dsp::Stem::kPercussive : dsp::Stem::kAll;
  }
  s.validate();
  return s;
}

void run_ingest(const IngestOptions& o) {
  const std::vector<fs::path> inputs(o.inputs.begin(), o.inputs.end());
  // A mistyped path refuses the whole ingest before anything is made or added.
  require_existing(inputs);
  const bool exists = fs::exists(fs::path(o.agent) / "agent.toml");
  if (exists && !o.settings.empty()) {
    throw SettingsError(fmt::format("{}: the agent exists; its settings are in {}/agent.toml (--settings is only "
                                    "for a new agent)", o.agent, o.agent));
  }
  corpus::IngestReport report;
  const auto ingest = [&](agent::Agent& a) {
    ProgressLine files("ingest", "files/s");
    report = a.ingest(inputs, [&](const corpus::FileReport&, std::size_t done, std::size_t total) {
      files.update(ProgressLine::kNoEpoch, static_cast<int64_t>(done), static_cast<int64_t>(total));
    });
    files.finish();
  };
  // A new agent takes its folder only once it holds audio (cli/new_agent_folder.hpp).
  auto a = exists ? agent::Agent::open(o.agent) : make_agent(o.agent, new_agent_settings(o), [&](agent::Agent& made) {
    ingest(made);
    require_audio_taken(report, inputs);
  });
  if (exists) ingest(a);
  fmt::print("{}\n", report.to_table());
  fmt::print("{}: {} songs, {} snippets added; {} files refused; dataset now {} snippets\n", a.name(),
             report.songs_added(), report.snippets_added(), report.refused(), a.dataset().size());
}

}  // namespace

void add_ingest_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "ingest", "Create or extend an agent with human recordings", run_ingest);
  cmd->add_option("--agent", o->agent, "Agent folder (created if new)")->required();
  cmd->add_option("--settings", o->settings, "Settings file (TOML) for a new agent");
  cmd->add_option("--name", o->name, "Name of a new agent (default Valerio)");
  cmd->add_option("--stem", o->stem, "Part of each recording to learn from")
      ->check(CLI::IsMember({"all", "harmonic", "percussive"}));
  cmd->add_option("inputs", o->inputs, "Audio files or folders")->required();
}

}  // namespace mh::cli
