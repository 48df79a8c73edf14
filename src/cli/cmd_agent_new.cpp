// metahuman agent new: an agent in one go (ingest, ML1, song orders, ML2).
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "cli/agent_training.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/crawl_run.hpp"
#include "cli/new_agent_folder.hpp"
#include "core/errors.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct NewAgentOptions {
  std::string agent;
  std::string name;
  std::string corpus;
  std::string crawl, start;  ///< --crawl LIBRARY --start FILE instead of --corpus
  int64_t songs = 0;
  double minutes = 0;
  std::string settings;
  int ml1_epochs = -1, ml2_epochs = -1;
  int64_t seed = -1;
  std::string device;
  bool print_settings = false;
  bool describe_settings = false;
};

/// --crawl: the machine chooses the agent's songs from the library, from the human's start
/// (docs/crawl.md); the chosen links and crawl.jsonl stay in the agent's folder (`agent_dir`)
/// under crawl/.
std::vector<fs::path> crawled_corpus(const NewAgentOptions& o, const fs::path& agent_dir) {
  corpus::CrawlSettings s;
  if (o.songs > 0) s.songs = o.songs;
  s.minutes = o.minutes;
  if (o.seed >= 0) s.seed = static_cast<std::uint64_t>(o.seed);
  return run_crawl(o.crawl, o.start, agent_dir / "crawl", s).written;
}

void run_new_agent(const NewAgentOptions& o) {
  if (o.describe_settings) {
    fmt::print("{}", agent::describe_agent_settings());
    return;
  }
  agent::AgentSettings s = o.settings.empty() ? agent::AgentSettings{} : agent::load_agent_settings(o.settings);
  if (!o.name.empty()) s.name = o.name;
  if (o.print_settings) {
    s.validate();
    fmt::print("{}", agent::to_toml_text(s));
    return;
  }
  if (o.agent.empty() || (o.corpus.empty() && o.crawl.empty())) {
    throw CLI::RequiredError("--agent and --corpus (or --crawl)");
  }
  // Every mistake is found before the agent's folder takes its name (cli/new_agent_folder.hpp).
  s.validate();
  if (!o.device.empty()) (void)agent::resolve_device(o.device);
  require_free_agent_folder(o.agent);
  std::vector<fs::path> inputs;
  if (o.crawl.empty()) {
    inputs = {fs::path(o.corpus)};
    require_existing(inputs, "the corpus folder does not exist");
  } else {
    require_existing({fs::path(o.crawl)}, "the library folder does not exist");
  }
  corpus::IngestReport report;
  auto a = make_agent(o.agent, s, [&](agent::Agent& made) {
    if (!o.crawl.empty()) inputs = crawled_corpus(o, made.dir());
    report = made.ingest(inputs);
    require_audio_taken(report, inputs);
    if (made.dataset().ids(corpus::Split::kTrain).empty()) {
      throw InputError(fmt::format("{}: {} songs, none of them for training: give more recordings or a lower "
                                   "ingest.validation_fraction", o.corpus.empty() ? o.crawl : o.corpus,
                                   report.songs_added()));
    }
  });
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  fmt::print("{}: {} songs, {} snippets; {} files refused (see {}/reports)\n", a.name(), report.songs_added(),
             report.snippets_added(), report.refused(), o.agent);
  train_agent_models(a, {o.ml1_epochs, o.ml2_epochs, o.seed, {}});
  fmt::print("{} is ready in {}\n", a.name(), o.agent);
}

}  // namespace

void add_agent_new_command(CLI::App& app) {
  auto o = std::make_shared<NewAgentOptions>();
  auto* group = app.add_subcommand("agent", "Manage agents");
  group->require_subcommand(1);
  auto* n = group->add_subcommand("new", "Make an agent from a folder of audio: ingest, train ML1 and ML2");
  n->add_option("--agent", o->agent, "New agent folder (required unless printing settings)");
  n->add_option("--name", o->name, "The agent's name (e.g. Valerio)");
  n->add_option("--corpus", o->corpus, "Folder (or file) of human recordings (required unless printing settings)");
  auto* crawl = n->add_option("--crawl", o->crawl, "Let the machine choose the corpus from this library (docs/crawl.md)")
                    ->excludes("--corpus");
  n->add_option("--start", o->start, "With --crawl: the first song, a file of the library")->needs(crawl);
  crawl->needs("--start");
  n->add_option("--songs", o->songs, "With --crawl: stop after this many songs (default 16)")
      ->needs(crawl)
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  n->add_option("--minutes", o->minutes, "With --crawl: also stop once the chosen songs last this long")
      ->needs(crawl)
      ->check(CLI::Range(0.0, 1000000.0));
  // A missing file is the settings reader's one-line input error, as for `ingest --settings`.
  n->add_option("--settings", o->settings, "Agent settings (TOML)");
  n->add_flag("--print-settings", o->print_settings, "Print the agent.toml the agent would start with, and exit");
  n->add_flag("--describe-settings", o->describe_settings,
              "Print every agent setting with its default, meaning and allowed values, and exit");
  n->add_option("--ml1-epochs", o->ml1_epochs, "ML1 epochs (default: settings)")->check(CLI::Range(0, 100000));
  n->add_option("--ml2-epochs", o->ml2_epochs, "ML2 epochs (default: settings)")->check(CLI::Range(0, 100000));
  n->add_option("--seed", o->seed, "Seed for both models")->check(CLI::NonNegativeNumber);
  add_device_option(n, o->device, "auto, cpu or cuda (default: the settings')");
  n->callback([o] { run_new_agent(*o); });
}

}  // namespace mh::cli
