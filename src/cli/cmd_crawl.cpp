// metahuman crawl: the machine chooses the corpus, from one start song the human gives.
#include <fmt/format.h>

#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/crawl_run.hpp"

namespace mh::cli {
namespace {

struct CrawlOptions {
  std::string library, start, out;
  corpus::CrawlSettings settings;
};

void run_crawl_command(const CrawlOptions& o) { run_crawl(o.library, o.start, o.out, o.settings); }

}  // namespace

void add_crawl_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "crawl",
                              "The machine chooses a corpus: from one start song, each next song is drawn among the "
                              "nearest not yet taken",
                              run_crawl_command);
  cmd->add_option("--library", o->library, "Folder of audio to choose from (searched recursively)")->required();
  cmd->add_option("--start", o->start, "The first song, a file of the library: the human's only choice")->required();
  cmd->add_option("--songs", o->settings.songs, "Stop after this many songs (the start included)")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--minutes", o->settings.minutes, "Also stop once the chosen songs last this long (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000000.0));
  cmd->add_option("--neighbours", o->settings.neighbours, "Each next song is drawn among this many nearest")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", o->settings.seed, "Seed: the same seed gives the same chain")->capture_default_str();
  cmd->add_flag("--copy", o->settings.copy, "Copy the chosen files instead of linking to them");
  cmd->add_option("--colour-weight", o->settings.colour_weight,
                  "How much more the colour (mean log-mel) counts than the notes or the pulse")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "New folder for the chosen songs and crawl.jsonl")->required();
}

}  // namespace mh::cli
