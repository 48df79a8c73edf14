// metahuman listen: the agent hears a recording and answers with its imitation or a variation.
#include <fmt/format.h>

#include <memory>

#include "agent/agent_voice.hpp"
#include "agent/song_file.hpp"
#include "audio/read_audio.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "model/cpu_generator.hpp"

namespace mh::cli {
namespace {

struct ListenOptions {
  AgentChoice agent;
  std::string in;
  std::string out;
  double variation = 0.0;
  std::uint64_t seed = 0;
};

void run_listen(const ListenOptions& o) {
  const auto a = open_agent(o.agent);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto heard = audio::read_audio(o.in, sr);
  auto gen = model::cpu_generator(o.seed);
  const auto answer = agent::vary(a, a.mel_snippets(heard.samples), o.variation, gen);
  const nlohmann::json fields{{"agent", a.name()},          {"heard", o.in},
                              {"variation_sigma", o.variation}, {"seed", o.seed},
                              {"ml1_version", a.ml1_version()}, {"snippets", answer.latents.size(0)}};
  const auto report = agent::write_song(o.out, answer.audio, sr, fields, answer.latents);
  fmt::print("{}: {} heard {:.1f} s, answered with {:.1f} s (σ = {}); {}\n", o.out, a.name(),
             static_cast<double>(heard.samples.size(0)) / sr, static_cast<double>(answer.audio.size(0)) / sr,
             o.variation, report.describe());
}

}  // namespace

void add_listen_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "listen", "Hear a song, encode it, vary it and sing it back", run_listen);
  add_agent_options(cmd, o->agent);
  cmd->add_option("--in", o->in, "Heard audio")->required();
  cmd->add_option("--out", o->out, "Answer WAV (a .json sidecar is written beside it)")->required();
  cmd->add_option("--variation", o->variation, "σ of the Gaussian noise added to every latent (0: imitation)")
      ->check(CLI::Range(0.0, 100.0))->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the variation noise and of the voice")->capture_default_str();
}

}  // namespace mh::cli
