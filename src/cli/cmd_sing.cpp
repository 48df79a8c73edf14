// metahuman sing: a learned human song rendered from its stored latent path by the current ML1.
#include <fmt/format.h>

#include <memory>

#include "agent/song_file.hpp"
#include "agent/song_window.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/song_fields.hpp"
#include "model/cpu_generator.hpp"

namespace mh::cli {
namespace {

struct SingOptions {
  AgentChoice agent;
  int64_t song = -1;
  double from_s = 0;
  double to_s = -1;
  std::string out;
  std::uint64_t seed = 0;
};

void run_sing(const SingOptions& o) {
  auto a = open_agent(o.agent);
  const auto order = a.song_order(o.song);
  const double snippet_s = a.snippet_seconds();
  const auto range = agent::window_snippets(order.size(0), snippet_s, o.from_s, o.to_s);
  const auto latents = order.narrow(0, range.first, range.size());
  auto gen = model::cpu_generator(o.seed);
  const auto song = a.voice().sing(latents, gen);
  const auto& stored = a.dataset().manifest().song(o.song);
  auto fields = song_fields(a, "imitation", o.seed);
  fields["song_id"] = o.song;
  fields["title"] = stored.record.title;
  fields["from_s"] = static_cast<double>(range.first) * snippet_s;
  fields["to_s"] = static_cast<double>(range.last) * snippet_s;
  fields["whole_song"] = range.first == 0 && range.last == order.size(0);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto report = agent::write_song(o.out, song, sr, fields, latents);
  fmt::print("{}: {} sang song {} ('{}') from {:.1f} s to {:.1f} s: {:.1f} s of audio; {}\n", o.out, a.name(), o.song,
             stored.record.title, fields["from_s"].get<double>(), fields["to_s"].get<double>(),
             static_cast<double>(song.size(0)) / sr, report.describe());
}

}  // namespace

void add_sing_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "sing", "Sing a learned song from its stored order with the current ML1", run_sing);
  add_agent_options(cmd, o->agent);
  cmd->add_option("--song", o->song, "Song id in the agent's dataset")->required()->check(CLI::NonNegativeNumber);
  cmd->add_option("--from", o->from_s, "Start of the excerpt, seconds")->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--to", o->to_s, "End of the excerpt, seconds (default: the song's end); a song shorter than "
                                   "the excerpt is sung whole")->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--out", o->out, "Song WAV (a .json sidecar is written beside it)")->required();
  cmd->add_option("--seed", o->seed, "Seed of the voice")->capture_default_str();
}

}  // namespace mh::cli
