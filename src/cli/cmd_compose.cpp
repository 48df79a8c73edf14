// The agent's singing commands: compose (a machine song from ML2), sing (a learned human song
// from its stored order) and interpolate (songs between two learned songs).
#include <fmt/format.h>

#include <memory>

#include "agent/agent.hpp"
#include "agent/song_file.hpp"
#include "agent/song_window.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

torch::Generator seeded(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

nlohmann::json common_fields(agent::Agent& a, const std::string& kind, std::uint64_t seed) {
  return {{"agent", a.name()}, {"kind", kind}, {"seed", seed}, {"ml1_version", a.ml1_version()}};
}

struct ComposeOptions {
  std::string agent;
  std::string out;
  double seconds = 0;
  std::uint64_t seed = 0;
  std::string device;
};

void run_compose(const ComposeOptions& o) {
  auto a = agent::Agent::open(o.agent);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  auto gen = seeded(o.seed);
  const auto latents = a.compose(1, o.seconds, gen).front();
  const auto song = a.voice().sing(latents, gen);
  auto fields = common_fields(a, "machine", o.seed);
  fields["ml2_version"] = a.ml2_version();
  fields["seconds_requested"] = o.seconds;
  fields["snippets"] = latents.size(0);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto report = agent::write_song(o.out, song, sr, fields, latents);
  fmt::print("{}: {} composed {:.1f} s ({} snippets, seed {}); {}\n", o.out, a.name(),
             static_cast<double>(song.size(0)) / sr, latents.size(0), o.seed, report.describe());
}

struct SingOptions {
  std::string agent;
  int64_t song = -1;
  double from_s = 0;
  double to_s = -1;
  std::string out;
  std::uint64_t seed = 0;
  std::string device;
};

void run_sing(const SingOptions& o) {
  auto a = agent::Agent::open(o.agent);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  const auto order = a.song_order(o.song);
  const double snippet_s = a.snippet_seconds();
  const auto range = agent::window_snippets(order.size(0), snippet_s, o.from_s, o.to_s);
  const auto latents = order.narrow(0, range.first, range.size());
  auto gen = seeded(o.seed);
  const auto song = a.voice().sing(latents, gen);
  const auto& stored = a.dataset().manifest().song(o.song);
  auto fields = common_fields(a, "imitation", o.seed);
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

struct InterpolateOptions {
  std::string agent;
  std::vector<int64_t> songs;
  int steps = 5;
  std::string out_dir;
  std::uint64_t seed = 0;
  std::string device;
};

void run_interpolate(const InterpolateOptions& o) {
  auto a = agent::Agent::open(o.agent);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  const auto orders = a.interpolate_songs(o.songs.at(0), o.songs.at(1), o.steps);
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create the folder ({})", o.out_dir, ec.message()));
  auto gen = seeded(o.seed);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto voice = a.voice();
  for (size_t i = 0; i < orders.size(); ++i) {
    const auto song = voice.sing(orders[i], gen);
    auto fields = common_fields(a, "interpolation", o.seed);
    fields["ml2_version"] = a.ml2_version();
    fields["songs"] = o.songs;
    fields["step"] = i;
    fields["alpha"] = static_cast<double>(i) / static_cast<double>(orders.size() - 1);
    const auto path = fs::path(o.out_dir) / fmt::format("interpolation-{:02}.wav", i);
    agent::write_song(path, song, sr, fields, orders[i]);
    fmt::print("{}: step {} of {} between songs {} and {}, {:.1f} s\n", path.string(), i, orders.size() - 1,
               o.songs[0], o.songs[1], static_cast<double>(song.size(0)) / sr);
  }
}

}  // namespace

void add_compose_commands(CLI::App& app) {
  {
    auto o = std::make_shared<ComposeOptions>();
    auto* cmd = app.add_subcommand("compose", "Compose a machine song: sample ML2, decode with ML1, sing it");
    cmd->add_option("--agent", o->agent, "Agent folder")->required();
    cmd->add_option("--out", o->out, "Song WAV (a .json sidecar is written beside it)")->required();
    cmd->add_option("--seconds", o->seconds, "Length to aim for (0: as long as ML2 decides)")
        ->check(CLI::Range(0.0, 86400.0))->capture_default_str();
    cmd->add_option("--seed", o->seed, "Seed of the sampling and of the voice")->capture_default_str();
    cmd->add_option("--device", o->device, "auto, cpu or cuda (default from the agent's settings)")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([o] { run_compose(*o); });
  }
  {
    auto o = std::make_shared<SingOptions>();
    auto* cmd = app.add_subcommand("sing", "Sing a learned song from its stored order with the current ML1");
    cmd->add_option("--agent", o->agent, "Agent folder")->required();
    cmd->add_option("--song", o->song, "Song id in the agent's dataset")->required()->check(CLI::NonNegativeNumber);
    cmd->add_option("--from", o->from_s, "Start of the excerpt, seconds")->check(CLI::Range(0.0, 1e6));
    cmd->add_option("--to", o->to_s, "End of the excerpt, seconds (default: the song's end); a song shorter than "
                                     "the excerpt is sung whole")->check(CLI::Range(0.0, 1e6));
    cmd->add_option("--out", o->out, "Song WAV (a .json sidecar is written beside it)")->required();
    cmd->add_option("--seed", o->seed, "Seed of the voice")->capture_default_str();
    cmd->add_option("--device", o->device, "auto, cpu or cuda (default from the agent's settings)")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([o] { run_sing(*o); });
  }
  {
    auto o = std::make_shared<InterpolateOptions>();
    auto* cmd = app.add_subcommand("interpolate", "Songs between two learned songs, through ML2's latent space");
    cmd->add_option("--agent", o->agent, "Agent folder")->required();
    cmd->add_option("--songs", o->songs, "The two song ids")->required()->expected(2)
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--steps", o->steps, "Songs to write, both ends included")->check(CLI::Range(2, 1000))
        ->capture_default_str();
    cmd->add_option("--out-dir", o->out_dir, "Folder for interpolation-NN.wav (+ .json)")->required();
    cmd->add_option("--seed", o->seed, "Seed of the voice")->capture_default_str();
    cmd->add_option("--device", o->device, "auto, cpu or cuda (default from the agent's settings)")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([o] { run_interpolate(*o); });
  }
}

}  // namespace mh::cli
