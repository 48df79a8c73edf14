// metahuman encode: a recording's latent path, one row per snippet.
#include <fmt/format.h>

#include <memory>

#include "agent/agent_voice.hpp"
#include "audio/read_audio.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "core/npy.hpp"

namespace mh::cli {
namespace {

struct EncodeOptions {
  AgentChoice agent;
  std::string audio;
  std::string out;
};

void run_encode(const EncodeOptions& o) {
  const auto a = open_agent(o.agent);
  const auto heard = audio::read_audio(o.audio, a.settings().front_end.mel.sample_rate_hz);
  const auto latents = agent::latent_path(a, heard.samples);
  write_npy(o.out, latents);
  fmt::print("{}: latent path of {} snippets × {} dimensions\n", o.out, latents.size(0), latents.size(1));
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "encode", "Write a song's latent path (one row per snippet) as .npy", run_encode);
  cmd->add_option("audio", o->audio, "Audio file")->required();
  cmd->add_option("--out", o->out, "Output .npy, float32 (snippets, latent_dim)")->required();
  add_agent_options(cmd, o->agent);
}

}  // namespace mh::cli
