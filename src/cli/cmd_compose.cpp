// metahuman compose: a machine song, an order sampled by ML2, decoded by ML1 and sung.
#include <fmt/format.h>

#include <memory>

#include "agent/agent_voice.hpp"
#include "agent/song_file.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/song_fields.hpp"
#include "model/cpu_generator.hpp"

namespace mh::cli {
namespace {

struct ComposeOptions {
  AgentChoice agent;
  std::string out;
  double seconds = 0;
  std::uint64_t seed = 0;
};

void run_compose(const ComposeOptions& o) {
  auto a = open_agent(o.agent);
  auto gen = model::cpu_generator(o.seed);
  const auto song = agent::compose_song(a, o.seconds, gen);
  auto fields = song_fields(a, "machine", o.seed);
  fields["ml2_version"] = a.ml2_version();
  fields["seconds_requested"] = o.seconds;
  fields["snippets"] = song.latents.size(0);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto report = agent::write_song(o.out, song.audio, sr, fields, song.latents);
  fmt::print("{}: {} composed {:.1f} s ({} snippets, seed {}); {}\n", o.out, a.name(),
             static_cast<double>(song.audio.size(0)) / sr, song.latents.size(0), o.seed, report.describe());
}

}  // namespace

void add_compose_command(CLI::App& app) {
  auto [cmd, o] =
      add_command(app, "compose", "Compose a machine song: sample ML2, decode with ML1, sing it", run_compose);
  add_agent_options(cmd, o->agent);
  cmd->add_option("--out", o->out, "Song WAV (a .json sidecar is written beside it)")->required();
  cmd->add_option("--seconds", o->seconds, "Length to aim for (0: as long as ML2 decides)")
      ->check(CLI::Range(0.0, 86400.0))->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the sampling and of the voice")->capture_default_str();
}

}  // namespace mh::cli
