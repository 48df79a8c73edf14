// metahuman agent new: an agent in one go (ingest, ML1, song orders, ML2).
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "cli/agent_training.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/new_agent_folder.hpp"
#include "core/errors.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct NewAgentOptions {
  std::string agent;
  std::string name;
  std::string corpus;
  std::string settings;
  int ml1_epochs = -1, ml2_epochs = -1;
  int64_t seed = -1;
  std::string device;
  bool print_settings = false;
  bool describe_settings = false;
};

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
  if (o.agent.empty() || o.corpus.empty()) throw CLI::RequiredError("--agent and --corpus");
  // Every mistake is found before the agent's folder takes its name (cli/new_agent_folder.hpp).
  s.validate();
  if (!o.device.empty()) (void)agent::resolve_device(o.device);
  require_free_agent_folder(o.agent);
  const std::vector<fs::path> inputs{fs::path(o.corpus)};
  require_existing(inputs, "the corpus folder does not exist");
  corpus::IngestReport report;
  auto a = make_agent(o.agent, s, [&](agent::Agent& made) {
    report = made.ingest(inputs);
    require_audio_taken(report, inputs);
    if (made.dataset().ids(corpus::Split::kTrain).empty()) {
      throw InputError(fmt::format("{}: {} songs, none of them for training: give more recordings or a lower "
                                   "ingest.validation_fraction", o.corpus, report.songs_added()));
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
