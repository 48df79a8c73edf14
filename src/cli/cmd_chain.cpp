// metahuman chain: two agents imitate each other in turn from an excerpt; how fast are the notes lost?
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "agent/imitation_chain.hpp"
#include "agent/song_file.hpp"
#include "audio/read_audio.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/song_fields.hpp"
#include "conversation/session_paths.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::cli {
namespace {

struct ChainOptions {
  std::vector<std::string> agents;
  std::string device;
  std::string in;
  std::string out_dir;
  std::string session;
  agent::ChainSettings chain;
};

std::string chain_share(double x) { return std::isnan(x) ? "-" : fmt::format("{:.0f}%", 100 * x); }

std::string chain_figures(const dsp::NoteFigures& f) {
  return fmt::format("{:>6} {:>6.2f} {:>6.2f}", chain_share(f.pitch_agreement), f.chroma_similarity,
                     f.onset_correlation);
}

/// `<session>/chains/chain_NN` with the first NN not yet taken: a session keeps every chain run
/// in it, and the report draws them all.
std::filesystem::path next_chain_folder(const std::filesystem::path& session) {
  std::error_code ec;
  if (!std::filesystem::is_directory(session, ec)) {
    throw InputError(fmt::format("--session {}: no such session folder", session.string()));
  }
  for (int n = 1;; ++n) {
    auto dir = session / conversation::kChainsDir / fmt::format("chain_{:02d}", n);
    if (!std::filesystem::exists(dir, ec)) return dir;
  }
}

void run_chain(const ChainOptions& options) {
  ChainOptions o = options;
  if (o.agents.size() != 2) throw CLI::ValidationError("--agents", "takes two agent folders, A then B");
  if (o.out_dir.empty() == o.session.empty()) {
    throw CLI::ValidationError("--out-dir", "give --out-dir DIR or --session SESSION (one of them)");
  }
  o.chain.validate();
  const auto a = open_agent({o.agents[0], o.device});
  const auto b = open_agent({o.agents[1], o.device});
  const int rate = a.settings().front_end.mel.sample_rate_hz;
  const auto excerpt = audio::read_audio(o.in, rate).samples;
  if (!o.session.empty()) o.out_dir = next_chain_folder(o.session).string();
  const std::filesystem::path dir(o.out_dir);
  fmt::print("{} and {} imitate each other in turn (σ = 0) from {}; notes: pitch agreement, chroma similarity, onset "
             "correlation\n", a.name(), b.name(), o.in);
  fmt::print("{:>4} {:<16} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6}\n", "pass", "singer", "s", "excerpt", "chroma",
             "onset", "before", "chroma", "onset");
  std::string heard_wav = o.in;
  nlohmann::json wavs = nlohmann::json::array();
  const auto result = agent::imitation_chain(a, b, excerpt, rate, o.chain, [&](const agent::ChainPass& p) {
    const auto& singer = p.pass % 2 ? a : b;
    const auto wav = dir / fmt::format("pass_{:02d}_{}.wav", p.pass, p.singer);
    auto fields = song_fields(singer, "imitation", p.seed);
    fields.update({{"heard", heard_wav}, {"variation_sigma", 0.0}, {"chain_pass", p.pass}, {"excerpt", o.in},
                   {"notes_original", p.original.to_json()}, {"notes_previous", p.previous.to_json()}});
    agent::write_song(wav, p.audio, p.sample_rate_hz, fields, p.latents);
    heard_wav = wav.string();
    wavs.push_back(wav.filename().string());
    fmt::print("{:>4} {:<16} {:>6.1f} | {} | {}\n", p.pass, p.singer,
               static_cast<double>(p.audio.numel()) / p.sample_rate_hz, chain_figures(p.original),
               chain_figures(p.previous));
    std::fflush(stdout);
  });
  auto j = result.to_json();
  for (size_t i = 0; i < wavs.size(); ++i) j["passes"][i]["wav"] = wavs[i];
  j.update({{"agents", {a.name(), b.name()}}, {"agent_dirs", o.agents}, {"excerpt", o.in},
            {"seconds", o.chain.seconds}, {"seed", o.chain.seed}});
  write_file_atomic(dir / "chain.json", j.dump(1) + "\n");
  const double first = result.passes.front().original.pitch_agreement;
  if (const auto half = result.half_pass()) {
    fmt::print("pitch agreement with the excerpt fell to half of pass 1's ({}) at pass {}\n", chain_share(first),
               *half);
  } else {
    fmt::print("pitch agreement with the excerpt did not fall to half of pass 1's ({}) within {} passes\n",
               chain_share(first), o.chain.passes);
  }
  fmt::print("passes and chain.json written to {}\n", o.out_dir);
}

}  // namespace

void add_chain_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "chain",
                              "Two agents imitate each other in turn from an excerpt (σ = 0), measuring after each "
                              "pass the notes kept of the excerpt and of the pass before",
                              run_chain);
  cmd->add_option("--agents", o->agents, "The two agent folders, A (imitates the excerpt) then B")
      ->required()->expected(2);
  add_device_option(cmd, o->device, "auto, cpu or cuda for both agents (default: each agent's setting)");
  cmd->add_option("--in", o->in, "The excerpt (audio file)")->required();
  cmd->add_option("--passes", o->chain.passes, "Imitations in all, A's first")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  auto* out_dir =
      cmd->add_option("--out-dir", o->out_dir, "Folder for each pass's WAV (with its .json sidecar) and chain.json");
  cmd->add_option("--session", o->session,
                  "Instead of --out-dir: keep the chain in SESSION/chains/chain_NN, where the report draws it")
      ->excludes(out_dir);
  cmd->add_option("--seed", o->chain.seed, "Seed of the voices' phases")->capture_default_str();
  cmd->add_option("--seconds", o->chain.seconds, "Only the excerpt's first this many seconds (0: all of it)")
      ->check(CLI::Range(0.0, 86400.0))->capture_default_str();
}

}  // namespace mh::cli
