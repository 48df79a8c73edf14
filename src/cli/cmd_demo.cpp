#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "audio/audio_files.hpp"
#include "cli/agent_training.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/console_sink.hpp"
#include "cli/crawl_run.hpp"
#include "cli/measures_table.hpp"
#include "conversation/conversation.hpp"
#include "conversation/session_paths.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "report/report.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct DemoOptions {
  std::string corpus, out;  ///< folders
  int rounds = 12, dream_every = 2;
  int ml1_epochs = 30, ml2_epochs = 40;  ///< of the agents' first training
  std::uint64_t seed = 0;
  bool resume = false;
  bool retrain = false;
  std::string device;
};

using Clock = std::chrono::steady_clock;

/// The demo's agents differ in instrument (their corpus part) and snippet length, as the
/// original paired a 4-s agent with a 2-s one.
agent::AgentSettings demo_agent_settings(const std::string& name, const std::string& preset, std::uint64_t seed,
                                        int ml1_epochs) {
  agent::AgentSettings s;
  s.name = name;
  s.preset = preset;
  s.front_end = dsp::front_end_preset(preset);
  s.ml1.seed = seed;
  // The learning rate settles within the demo's shorter first training. The demo's parts are
  // small (Dennis has about 150 snippets of 4 s): smaller batches and a short warm-up give ML1
  // enough steps at full rate in the same time.
  s.ml1.epochs = ml1_epochs;
  s.ml1.lr_decay_epochs = ml1_epochs;
  s.ml1.batch_size = 8;
  s.ml1.warmup_steps = 50;
  s.ml2.seed = seed;
  s.ml2.epochs = 40;
  s.validate();
  return s;
}

/// The machine chooses each agent's songs (docs/crawl.md): a crawl through the whole corpus,
/// both parts, from the first song of the agent's part, for as many songs as the part holds.
/// The start is the one choice a human made; the chain and its log stay in `crawl_dir`.
std::vector<fs::path> crawled_part(const fs::path& corpus, const fs::path& part, const fs::path& crawl_dir,
                                   std::uint64_t seed) {
  const auto own = audio::list_audio_files(part);
  if (own.empty()) throw InputError(fmt::format("{}: no audio files to start the crawl from", part.string()));
  corpus::CrawlSettings s;
  s.songs = static_cast<int64_t>(own.size());
  s.seed = seed;
  fs::remove_all(crawl_dir);
  return run_crawl(corpus, own.front(), crawl_dir, s).written;
}

/// Trained agents are kept under `trained/` and copied for each new conversation, so a re-run
/// skips the training and every conversation starts from the same agents.
fs::path trained_agent(const fs::path& part, const fs::path& dir, const agent::AgentSettings& settings,
                       const DemoOptions& o) {
  if (fs::exists(dir / "agent.toml")) {
    auto a = agent::Agent::open(dir);
    if (a.has_ml1() && a.has_ml2() && a.ml2_is_current() && !o.retrain) {
      fmt::print("{}: trained agent found in {}\n", a.name(), dir.string());
      return dir;
    }
  }
  fs::remove_all(dir);
  const auto crawl_dir = fs::path(o.out) / "crawl" / settings.name;
  const auto songs = crawled_part(o.corpus, part, crawl_dir, settings.ml1.seed);
  auto a = agent::Agent::create(dir, settings);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  const auto report = a.ingest(songs);
  fmt::print("{}: {} songs, {} snippets of {} s crawled from {} (log: {}); {} files refused\n", a.name(),
             report.songs_added(), report.snippets_added(), settings.front_end.snippet.seconds, o.corpus,
             (crawl_dir / "crawl.jsonl").string(), report.refused());
  train_agent_models(a, {o.ml1_epochs, o.ml2_epochs, static_cast<int64_t>(o.seed),
                         "the demo trains this agent afresh when run again"});
  return dir;
}

void copy_agent(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to.parent_path());
  fs::copy(from, to, fs::copy_options::recursive);
}

void run_demo(const DemoOptions& o) {
  const auto t0 = Clock::now();
  if (!fs::is_directory(o.corpus)) throw InputError(fmt::format("{}: corpus folder not found", o.corpus));
  std::vector<fs::path> parts;
  for (const auto& e : fs::directory_iterator(o.corpus)) {
    if (e.is_directory()) parts.push_back(e.path());
  }
  std::sort(parts.begin(), parts.end());
  if (parts.size() < 2) {
    throw InputError(fmt::format("{}: expected a subfolder of audio per agent (valerio/, dennis/); found {}", o.corpus,
                                 parts.size()));
  }
  const fs::path out(o.out);
  const fs::path session = out / "session";
  // Valerio, the 2-s agent, opens; Dennis listens with 4-s ears.
  const std::vector<std::pair<std::string, std::string>> roles = {{"Valerio", "2.0_128"}, {"Dennis", "4.0_256"}};
  std::vector<fs::path> agents;
  for (size_t i = 0; i < 2; ++i) {
    const auto& [name, preset] = roles[i];
    fs::path part = parts[i];
    for (const auto& p : parts) {
      std::string stem = p.filename().string();
      std::transform(stem.begin(), stem.end(), stem.begin(), ::tolower);
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (stem == lower) part = p;
    }
    const auto trained = trained_agent(part, out / "trained" / name, demo_agent_settings(name, preset, o.seed + i, o.ml1_epochs), o);
    const auto live = out / "agents" / name;
    if (!o.resume || !fs::exists(live / "agent.toml")) copy_agent(trained, live);
    agents.push_back(live);
  }
  const double setup_s = seconds_since(t0);
  if (!o.resume) fs::remove_all(session);

  conversation::ConversationOptions c;
  c.session = session;
  c.device = o.device;
  c.agent_a = agents[0];
  c.agent_b = agents[1];
  auto& s = c.settings;
  s.rounds = o.rounds;
  s.dream_every = o.dream_every;
  // Long enough excerpts that machine songs outnumber the human ones within the demo's rounds.
  s.excerpt_min_s = 15;
  s.excerpt_max_s = 25;
  s.seed = o.seed;
  for (auto* r : {&s.a, &s.b}) {
    r->dream_ml1_epochs = 2;
    r->dream_ml2_epochs = 10;
    r->dream_max_items = 400;
  }
  c.resume = o.resume;
  c.stop = &interrupt_flag();
  ConsoleSink console;
  c.sinks.push_back(&console);
  const auto t1 = Clock::now();
  const auto outcome = conversation::converse(c);
  const double conversation_s = seconds_since(t1);
  fmt::print("\n{}", measures_table(session));
  if (outcome.stopped) {
    throw InterruptedError(fmt::format("interrupted after {} rounds; continue with the same command and --resume",
                                       outcome.rounds_done));
  }
  fmt::print("\nagents ready in {:.0f} s, conversation of {} rounds in {:.0f} s, {:.0f} s in all\n", setup_s,
             outcome.rounds_done, conversation_s, seconds_since(t0));
  report::write_report(session);
  fmt::print("songs, events and measures: {}\nreport: {}\n", session.string(),
             (session / conversation::kReportDir / "index.html").string());
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto [cmd, o] = add_command(
      app, "demo", "The main job: two agents learn the songs a crawl through a corpus chose for them, and converse",
      run_demo);
  cmd->add_option("--corpus", o->corpus,
                  "Corpus folder: the library the agents' crawls choose from; each crawl starts from the first song of "
                  "the subfolder named after the agent (valerio/, dennis/; else the first two subfolders)")
      ->required();
  cmd->add_option("--out", o->out, "Output folder (trained agents, live agents, session)")->required();
  cmd->add_option("--rounds", o->rounds, "Conversation rounds")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--dream-every", o->dream_every, "Both agents dream after every this many rounds")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--ml1-epochs", o->ml1_epochs, "ML1 epochs of the first training")->capture_default_str();
  cmd->add_option("--ml2-epochs", o->ml2_epochs, "ML2 epochs of the first training")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed")->capture_default_str();
  add_device_option(cmd, o->device, "auto, cpu or cuda for training and singing (default: auto)");
  cmd->add_flag("--resume", o->resume, "Continue an interrupted demo conversation");
  cmd->add_flag("--retrain", o->retrain, "Train the agents again even when trained ones are saved");
}

}  // namespace mh::cli
