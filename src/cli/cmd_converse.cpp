// metahuman converse: two agents sing to each other, listen, vary and dream.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "cli/agent_training.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/console_sink.hpp"
#include "cli/measures_table.hpp"
#include "conversation/conversation.hpp"
#include "conversation/osc_control.hpp"
#include "conversation/osc_sink.hpp"
#include "conversation/playback.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "report/report.hpp"
#include "report/song_images.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

constexpr double kStopDrawSeconds = 20;  // well inside a service manager's usual 90 s

struct ConverseOptions {
  std::string session;
  std::vector<std::string> agents;
  std::string settings;
  int rounds = -1;
  int64_t seed = -1;
  bool resume = false;
  bool forever = false;
  std::string osc;
  std::string control;
  bool play = false;
  std::string device;
  bool print_settings = false;
  bool describe_settings = false;
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
  if (o.rounds >= 0) c.settings.rounds = o.rounds;
  if (o.forever) c.settings.rounds = 0;
  if (o.seed >= 0) c.settings.seed = static_cast<std::uint64_t>(o.seed);
  if (o.describe_settings) {
    fmt::print("{}", conversation::describe_conversation_settings());
    return;
  }
  if (o.print_settings) {
    c.settings.validate();
    fmt::print("{}", conversation::to_toml_text(c.settings));
    return;
  }
  if (o.session.empty() || o.agents.size() != 2) {
    throw CLI::RequiredError("--session and --agents (two agent folders)");
  }
  // A mistyped or untrained agent is refused before the session folder is made. Dreams continue
  // each agent's models: say which edits of their agent.toml they cannot take.
  for (const auto& dir : o.agents) {
    const auto a = agent::Agent::open(dir);
    if (!a.has_ml1()) (void)a.ml1();  // throws "train ML1 first" naming the agent
    for (const auto stage : {agent::TrainStage::kMl1, agent::TrainStage::kMl2}) print_unused_edits(a, stage);
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
  conversation::ControlQueue control_queue;
  std::unique_ptr<conversation::OscControl> control;
  if (!o.control.empty()) {
    control = std::make_unique<conversation::OscControl>(conversation::parse_control_address(o.control),
                                                         control_queue, static_cast<int>(o.agents.size()));
    c.control = &control_queue;
    fmt::print("listening for OSC commands on {}:{} (docs/osc.md)\n", control->host(), control->port());
  }
  // The songs cap keeps every song's spectrogram: drawn here, since the conversation draws none.
  c.before_songs_removed = [&o](const std::vector<std::filesystem::path>& wavs) {
    try {
      (void)report::draw_images_before_removal(o.session, wavs);
    } catch (const std::exception& e) {
      fmt::print(stderr, "warning: spectrograms of songs leaving the songs folder not drawn: {}\n", e.what());
    }
  };
  c.device = o.device;
  const auto outcome = conversation::converse(c);
  control.reset();
  fmt::print("\n{}", measures_table(o.session));
  // A stopped conversation exits promptly (a service manager kills what lingers): the pictures
  // not drawn in time are left to `metahuman report`.
  report::ReportOptions report_options;
  if (outcome.stopped) report_options.image_seconds = kStopDrawSeconds;
  const auto report = report::write_report(o.session, report_options);
  if (report.images_left > 0) {
    fmt::print("{} spectrograms not drawn at stop: metahuman report --session {} draws them\n", report.images_left,
               o.session);
  }
  fmt::print("report: {}\n", report.index_html.string());
  const std::string continue_with =
      fmt::format("metahuman converse --session {} --agents {} {} --resume{}", o.session, o.agents[0], o.agents[1],
                  o.control.empty() ? std::string() : " --control " + o.control);
  // Stopping is how a conversation that runs until stopped ends, and what a stop command asks.
  if (outcome.stopped && (outcome.until_stopped || outcome.stop_command)) {
    fmt::print("stopped after {} rounds; continue with: {}\n", outcome.rounds_done, continue_with);
    return;
  }
  if (outcome.stopped) {
    throw InterruptedError(fmt::format("interrupted after {} rounds; continue with: {}", outcome.rounds_done,
                                       continue_with));
  }
  fmt::print("conversation done: songs, events and measures in {}\n", o.session);
}

}  // namespace

void add_converse_command(CLI::App& app) {
  auto [c, conv] = add_command(app, "converse", "Two agents sing to each other, listen, vary and dream", run_converse);
  c->add_option("--session", conv->session, "Session folder (songs, events, measures, report)");
  c->add_option("--agents", conv->agents, "The two agent folders, A then B (the settings' turns name them a and b)")
      ->expected(2);
  c->add_option("--settings", conv->settings,
                "Conversation settings: a TOML file, or a preset (complete, original, notebook)");
  c->add_flag("--print-settings", conv->print_settings, "Print the effective settings as TOML and exit");
  c->add_flag("--describe-settings", conv->describe_settings,
              "Print every setting with its default, meaning and allowed range, and exit");
  auto* rounds = c->add_option("--rounds", conv->rounds, "Rounds (overrides the settings; 0: until stopped)")
                     ->check(CLI::Range(0, 100000));
  c->add_flag("--forever", conv->forever,
              "Run until SIGINT, SIGTERM or an OSC stop, then exit 0 naming the command that continues (--rounds 0)")
      ->excludes(rounds);
  c->add_option("--seed", conv->seed, "Seed (overrides the settings)")->check(CLI::NonNegativeNumber);
  c->add_flag("--resume", conv->resume, "Continue an interrupted session (its saved settings win)");
  add_device_option(c, conv->device, "auto, cpu or cuda for both agents (default: each agent's setting)");
  c->add_option("--osc", conv->osc, "Send OSC events for live visuals to HOST:PORT (port 5005 by default)");
  c->add_option("--control", conv->control,
                "Take OSC commands (pause, resume, dream, sigma, stop) on [HOST:]PORT (host 127.0.0.1 by default)");
  c->add_flag("--play", conv->play, "Play every song on the default audio output as it is sung");
}

}  // namespace mh::cli
