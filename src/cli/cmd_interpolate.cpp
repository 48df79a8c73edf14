// metahuman interpolate: songs between two learned songs, through ML2's latent space.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/song_file.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/song_fields.hpp"
#include "core/errors.hpp"
#include "model/cpu_generator.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct InterpolateOptions {
  AgentChoice agent;
  std::vector<int64_t> songs;
  int steps = 5;
  std::string out_dir;
  std::uint64_t seed = 0;
};

void run_interpolate(const InterpolateOptions& o) {
  auto a = open_agent(o.agent);
  const auto orders = a.interpolate_songs(o.songs.at(0), o.songs.at(1), o.steps);
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create the folder ({})", o.out_dir, ec.message()));
  auto gen = model::cpu_generator(o.seed);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto voice = a.voice();
  for (size_t i = 0; i < orders.size(); ++i) {
    const auto song = voice.sing(orders[i], gen);
    auto fields = song_fields(a, "interpolation", o.seed);
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

void add_interpolate_command(CLI::App& app) {
  auto [cmd, o] =
      add_command(app, "interpolate", "Songs between two learned songs, through ML2's latent space", run_interpolate);
  add_agent_options(cmd, o->agent);
  cmd->add_option("--songs", o->songs, "The two song ids")->required()->expected(2)->check(CLI::NonNegativeNumber);
  cmd->add_option("--steps", o->steps, "Songs to write, both ends included")->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cmd->add_option("--out-dir", o->out_dir, "Folder for interpolation-NN.wav (+ .json)")->required();
  cmd->add_option("--seed", o->seed, "Seed of the voice")->capture_default_str();
}

}  // namespace mh::cli
