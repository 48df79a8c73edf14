#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "cli/agent_training.hpp"
#include "cli/commands.hpp"
#include "cli/console_sink.hpp"
#include "cli/measures_table.hpp"
#include "conversation/conversation.hpp"
#include "conversation/osc_sink.hpp"
#include "conversation/playback.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "report/report.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct ConverseOptions {
  std::string session;
  std::vector<std::string> agents;
  std::string settings;
  int rounds = -1;
  int64_t seed = -1;
  bool resume = false;
  std::string osc;
  bool play = false;
  std::string device;
  bool print_settings = false;
};

/// A settings file, or the name of a built-in preset when no such file exists.
conversation::ConversationSettings settings_from(const std::string& file_or_preset) {
  if (file_or_preset.empty()) return {};
  if (!fs::exists(file_or_preset)) {
    for (const auto& name : conversation::presets()) {
      if (name == file_or_preset) return conversation::preset_settings(name);
    }
    throw SettingsError(fmt::format("--settings {}: no such file, and not a preset (complete, original, notebook)",
                                    file_or_preset));
  }
  return conversation::parse_conversation_settings(read_file(file_or_preset), file_or_preset);
}

void run_converse(const ConverseOptions& o) {
  conversation::ConversationOptions c;
  c.settings = settings_from(o.settings);
  if (o.rounds > 0) c.settings.rounds = o.rounds;
  if (o.seed >= 0) c.settings.seed = static_cast<std::uint64_t>(o.seed);
  if (o.print_settings) {
    c.settings.validate();
    fmt::print("{}", conversation::to_toml_text(c.settings));
    return;
  }
  if (o.session.empty() || o.agents.size() != 2) {
    throw CLI::RequiredError("--session and --agents (two agent folders)");
  }
  c.session = o.session;
  c.agent_a = o.agents.at(0);
  c.agent_b = o.agents.at(1);
  c.resume = o.resume;
  c.stop = &interrupt_flag();
  ConsoleSink console;
  c.sinks.push_back(&console);
  // Playback first: the OSC "Done" messages then line up with the end of each song.
  std::unique_ptr<conversation::PlaybackSink> play;
  if (o.play) {
    play = std::make_unique<conversation::PlaybackSink>(
        o.session, std::make_unique<conversation::Playback>(conversation::open_default_audio_output()));
    c.sinks.push_back(play.get());
  }
  std::unique_ptr<conversation::OscSink> osc;
  if (!o.osc.empty()) {
    conversation::OscSinkSettings s;
    s.target = conversation::parse_osc_target(o.osc);
    s.session_dir = o.session;
    osc = std::make_unique<conversation::OscSink>(s);
    c.sinks.push_back(osc.get());
  }
  c.device = o.device;
  const auto outcome = conversation::converse(c);
  fmt::print("\n{}", measures_table(o.session));
  const auto report = report::write_report(o.session);
  fmt::print("report: {}\n", report.index_html.string());
  if (outcome.stopped) {
    throw InterruptedError(fmt::format("interrupted after {} rounds; continue with: metahuman converse --session {} "
                                       "--agents {} {} --resume", outcome.rounds_done, o.session, o.agents[0],
                                       o.agents[1]));
  }
  fmt::print("conversation done: songs, events and measures in {}\n", o.session);
}

struct NewAgentOptions {
  std::string agent;
  std::string name;
  std::string corpus;
  std::string settings;
  int ml1_epochs = -1, ml2_epochs = -1;
  int64_t seed = -1;
  std::string device;
};

void run_new_agent(const NewAgentOptions& o) {
  if (fs::exists(fs::path(o.agent) / "agent.toml")) {
    throw DatasetError(fmt::format("{}: already an agent: use `metahuman ingest` and `metahuman train` to extend it",
                                   o.agent));
  }
  agent::AgentSettings s = o.settings.empty() ? agent::AgentSettings{} : agent::load_agent_settings(o.settings);
  if (!o.name.empty()) s.name = o.name;
  auto a = agent::Agent::create(o.agent, s);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  const auto report = a.ingest({fs::path(o.corpus)});
  fmt::print("{}: {} songs, {} snippets; {} files refused (see {}/reports)\n", a.name(), report.songs_added(),
             report.snippets_added(), report.refused(), o.agent);
  train_agent_models(a, {o.ml1_epochs, o.ml2_epochs, o.seed});
  fmt::print("{} is ready in {}\n", a.name(), o.agent);
}

}  // namespace

void add_converse_commands(CLI::App& app) {
  auto conv = std::make_shared<ConverseOptions>();
  auto* c = app.add_subcommand("converse", "Two agents sing to each other, listen, vary and dream");
  c->add_option("--session", conv->session, "Session folder (songs, events, measures, report)");
  c->add_option("--agents", conv->agents, "The two agent folders, A then B (the settings' turns name them a and b)")
      ->expected(2);
  c->add_option("--settings", conv->settings,
                "Conversation settings: a TOML file, or a preset (complete, original, notebook)");
  c->add_flag("--print-settings", conv->print_settings, "Print the effective settings as TOML and exit");
  c->add_option("--rounds", conv->rounds, "Rounds (overrides the settings)")->check(CLI::Range(1, 100000));
  c->add_option("--seed", conv->seed, "Seed (overrides the settings)")->check(CLI::NonNegativeNumber);
  c->add_flag("--resume", conv->resume, "Continue an interrupted session (its saved settings win)");
  c->add_option("--device", conv->device, "auto, cpu or cuda for both agents (default: each agent's setting)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  c->add_option("--osc", conv->osc, "Send OSC events for live visuals to HOST:PORT (port 5005 by default)");
  c->add_flag("--play", conv->play, "Play every song on the default audio output as it is sung");
  c->callback([conv] { run_converse(*conv); });

  auto na = std::make_shared<NewAgentOptions>();
  auto* group = app.add_subcommand("agent", "Manage agents");
  group->require_subcommand(1);
  auto* n = group->add_subcommand("new", "Make an agent from a folder of audio: ingest, train ML1 and ML2");
  n->add_option("--agent", na->agent, "New agent folder")->required();
  n->add_option("--name", na->name, "The agent's name (e.g. Valerio)");
  n->add_option("--corpus", na->corpus, "Folder (or file) of human recordings")->required();
  n->add_option("--settings", na->settings, "Agent settings (TOML)")->check(CLI::ExistingFile);
  n->add_option("--ml1-epochs", na->ml1_epochs, "ML1 epochs (default: settings)")->check(CLI::Range(0, 100000));
  n->add_option("--ml2-epochs", na->ml2_epochs, "ML2 epochs (default: settings)")->check(CLI::Range(0, 100000));
  n->add_option("--seed", na->seed, "Seed for both models")->check(CLI::NonNegativeNumber);
  n->add_option("--device", na->device, "auto, cpu or cuda (default: the settings')")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  n->callback([na] { run_new_agent(*na); });
}

}  // namespace mh::cli
