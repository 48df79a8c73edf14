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
  std::string agent;
  std::string audio;
  std::string out;
  std::string device;
};

void run_encode(const EncodeOptions& o) {
  const auto a = open_agent(o.agent, o.device);
  const auto heard = audio::read_audio(o.audio, a.settings().front_end.mel.sample_rate_hz);
  const auto latents = agent::latent_path(a, heard.samples);
  write_npy(o.out, latents);
  fmt::print("{}: latent path of {} snippets × {} dimensions\n", o.out, latents.size(0), latents.size(1));
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto o = std::make_shared<EncodeOptions>();
  auto* cmd = app.add_subcommand("encode", "Write a song's latent path (one row per snippet) as .npy");
  cmd->add_option("--agent", o->agent, "Agent folder")->required();
  cmd->add_option("audio", o->audio, "Audio file")->required();
  cmd->add_option("--out", o->out, "Output .npy, float32 (snippets, latent_dim)")->required();
  add_device_option(cmd, o->device);
  cmd->callback([o] { run_encode(*o); });
}

}  // namespace mh::cli
