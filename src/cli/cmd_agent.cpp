#include <fmt/format.h>

#include <memory>

#include "agent/agent.hpp"
#include "agent/song_file.hpp"
#include "audio/read_audio.hpp"
#include "audio/write_wav.hpp"
#include "cli/agent_training.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/npy.hpp"
#include "core/progress.hpp"
#include "model/distributed.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct IngestOptions {
  std::string agent;
  std::string settings;
  std::string name;
  std::string stem;
  std::vector<std::string> inputs;
};

void run_ingest(const IngestOptions& o) {
  agent::Agent a = [&] {
    if (fs::exists(fs::path(o.agent) / "agent.toml")) {
      if (!o.settings.empty()) {
        throw SettingsError(fmt::format("{}: the agent exists; its settings are in {}/agent.toml (--settings is only "
                                        "for a new agent)", o.agent, o.agent));
      }
      return agent::Agent::open(o.agent);
    }
    agent::AgentSettings s = o.settings.empty() ? agent::AgentSettings{} : agent::load_agent_settings(o.settings);
    if (!o.name.empty()) s.name = o.name;
    if (!o.stem.empty()) {
      s.ingest.stem = o.stem == "harmonic" ? dsp::Stem::kHarmonic
                      : o.stem == "percussive" ? dsp::Stem::kPercussive : dsp::Stem::kAll;
    }
    return agent::Agent::create(o.agent, s);
  }();
  std::vector<fs::path> inputs(o.inputs.begin(), o.inputs.end());
  std::unique_ptr<Progress> bar;
  const auto report = a.ingest(inputs, [&](const corpus::FileReport&, std::size_t done, std::size_t total) {
    if (!bar) bar = std::make_unique<Progress>("ingest", static_cast<int64_t>(total), "files/s");
    bar->update(static_cast<int64_t>(done), 1);
  });
  if (bar) bar->finish();
  fmt::print("{}\n", report.to_table());
  fmt::print("{}: {} songs, {} snippets added; {} files refused; dataset now {} snippets\n", a.name(),
             report.songs_added(), report.snippets_added(), report.refused(), a.dataset().size());
}

struct TrainOptions {
  std::string agent;
  std::string stage = "ml1";
  int epochs = -1;
  int64_t seed = -1;
  bool resume = false;
  std::string device;
  int world_size = 1;
  int rank = 0;
  std::string master = "127.0.0.1:29500";
};

void run_train(const TrainOptions& o) {
  auto a = agent::Agent::open(o.agent);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  // Data-parallel training (docs/distributed.md): joins the other ranks before any training.
  std::unique_ptr<model::DataParallel> group;
  if (o.world_size > 1 || o.rank != 0) {
    model::DistributedOptions d;
    d.world_size = o.world_size;
    d.rank = o.rank;
    model::parse_master_address(o.master, d);
    group = std::make_unique<model::DataParallel>(d, a.device());
  }
  const auto& stop = interrupt_flag();
  const auto saved = [&](const fs::path& path) {
    return group && !group->is_main() ? std::string("saved by rank 0") : "saved to " + path.string();
  };
  if (o.stage == "ml1" || o.stage == "all") {
    agent::TrainOptions t;
    t.epochs = o.epochs;
    t.resume = o.resume;
    t.seed = o.seed;
    t.stop = &stop;
    t.sync = group.get();
    std::unique_ptr<Progress> bar;
    int64_t current_epoch = -1;
    t.progress = [&](const model::TrainProgress& p) {
      if (p.epoch != current_epoch) {
        if (bar) bar->finish();
        bar = std::make_unique<Progress>(fmt::format("ml1 epoch {}", p.epoch), p.n_batches, "batches/s");
        current_epoch = p.epoch;
      }
      bar->update(p.batch, 1, fmt::format("loss {:.4g} mse {:.4g} {:.1f} snippets/s", p.loss, p.reconstruction,
                                          p.snippets_per_s));
    };
    t.epoch_end = [&](const model::EpochRecord& r) {
      if (bar) bar->finish(ml1_validation_summary(r.val_reconstruction, r.val_mean_snippet, r.val_time_flat));
      bar.reset();
    };
    const auto outcome = a.train_ml1(t);
    if (outcome.stopped) {
      throw InterruptedError(fmt::format("interrupted: ML1 saved after {} epochs in {}; continue with --resume",
                                         outcome.epochs_done, a.ml1_path().string()));
    }
    fmt::print("{}: ML1 trained, {} epochs, {}, {}\n", a.name(), outcome.epochs_done,
               ml1_validation_summary(outcome.val_reconstruction, outcome.val_mean_snippet, outcome.val_time_flat),
               saved(a.ml1_path()));
    // ML2's song orders come from the ML1 that rank 0 has just saved: a rank with its own copy of
    // the agent folder takes rank 0's checkpoint (on a shared folder it is already there).
    if (group && o.stage == "all") {
      const auto rank0_ml1 = group->share(group->is_main() ? read_file(a.ml1_path()) : std::string());
      if (!group->is_main() && (!fs::exists(a.ml1_path()) || read_file(a.ml1_path()) != rank0_ml1)) {
        write_file_atomic(a.ml1_path(), rank0_ml1);
      }
      group->barrier();
    }
  }
  if (o.stage == "ml2" || o.stage == "all") {
    const auto orders = a.song_orders();
    fmt::print("{}: {} song orders from ML1 {} in {}\n", a.name(), orders.size(), orders.ml1_version,
               a.orders_path().string());
    agent::TrainOptions t;
    t.epochs = o.epochs;
    // After ML1 trained further, ML2's saved run belongs to the old ML1: `all` then starts it afresh.
    t.resume = o.resume && (o.stage == "ml2" || a.ml2_is_current());
    t.seed = o.seed;
    t.stop = &stop;
    t.sync = group.get();
    std::unique_ptr<Progress> bar;
    int64_t current_epoch = -1;
    t.ml2_progress = [&](const model::Ml2TrainProgress& p) {
      if (p.epoch != current_epoch) {
        if (bar) bar->finish();
        bar = std::make_unique<Progress>(fmt::format("ml2 epoch {}", p.epoch), p.n_batches, "batches/s");
        current_epoch = p.epoch;
      }
      bar->update(p.batch, 1, fmt::format("loss {:.4g} mse {:.4g} {:.1f} songs/s", p.loss, p.reconstruction,
                                          p.orders_per_s));
    };
    t.ml2_epoch_end = [&](const model::Ml2EpochRecord& r) {
      if (bar) bar->finish(fmt::format("val mse {:.4g} length error {:.3g}", r.val_reconstruction, r.val_length_error));
      bar.reset();
    };
    const auto outcome = a.train_ml2(t);
    if (outcome.stopped) {
      throw InterruptedError(fmt::format("interrupted: ML2 saved after {} epochs in {}; continue with --resume",
                                         outcome.epochs_done, a.ml2_path().string()));
    }
    fmt::print("{}: ML2 trained, {} epochs, validation MSE {:.4g}, {}\n", a.name(), outcome.epochs_done,
               outcome.val_reconstruction, saved(a.ml2_path()));
  }
}

struct ListenOptions {
  std::string agent;
  std::string in;
  std::string out;
  double variation = 0.0;
  std::uint64_t seed = 0;
  std::string device;
};

void run_listen(const ListenOptions& o) {
  auto a = agent::Agent::open(o.agent);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  const auto heard = audio::read_audio(o.in, sr);
  const auto mel = a.mel_snippets(heard.samples);
  auto latents = a.encode(mel);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  if (o.variation > 0) latents = latents + o.variation * torch::randn(latents.sizes(), gen, torch::kFloat32);
  const auto answer = a.voice().sing(latents, gen);
  const auto report = audio::write_wav(o.out, answer, sr);
  nlohmann::json sidecar{{"agent", a.name()},          {"heard", o.in},
                         {"variation_sigma", o.variation}, {"seed", o.seed},
                         {"ml1_version", a.ml1_version()}, {"snippets", latents.size(0)},
                         {"sample_rate_hz", sr}};
  sidecar["latents"] = nlohmann::json::array();
  const auto lat = latents.contiguous();
  for (int64_t i = 0; i < lat.size(0); ++i) {
    const float* row = lat[i].data_ptr<float>();
    sidecar["latents"].push_back(std::vector<float>(row, row + lat.size(1)));
  }
  write_file_atomic(agent::song_sidecar_path(o.out), sidecar.dump(1));
  fmt::print("{}: {} heard {:.1f} s, answered with {:.1f} s (σ = {}); {}\n", o.out, a.name(),
             static_cast<double>(heard.samples.size(0)) / sr, static_cast<double>(answer.size(0)) / sr, o.variation,
             report.describe());
}

struct EncodeOptions {
  std::string agent;
  std::string audio;
  std::string out;
  std::string device;
};

void run_encode(const EncodeOptions& o) {
  auto a = agent::Agent::open(o.agent);
  if (!o.device.empty()) a.set_device(agent::resolve_device(o.device));
  const auto heard = audio::read_audio(o.audio, a.settings().front_end.mel.sample_rate_hz);
  const auto latents = a.encode(a.mel_snippets(heard.samples));
  write_npy(o.out, latents);
  fmt::print("{}: latent path of {} snippets × {} dimensions\n", o.out, latents.size(0), latents.size(1));
}

}  // namespace

void add_agent_commands(CLI::App& app) {
  {
    auto o = std::make_shared<IngestOptions>();
    auto* cmd = app.add_subcommand("ingest", "Create or extend an agent with human recordings");
    cmd->add_option("--agent", o->agent, "Agent folder (created if new)")->required();
    cmd->add_option("--settings", o->settings, "Settings file (TOML) for a new agent");
    cmd->add_option("--name", o->name, "Name of a new agent (default Valerio)");
    cmd->add_option("--stem", o->stem, "Part of each recording to learn from")
        ->check(CLI::IsMember({"all", "harmonic", "percussive"}));
    cmd->add_option("inputs", o->inputs, "Audio files or folders")->required();
    cmd->callback([o] { run_ingest(*o); });
  }
  {
    auto o = std::make_shared<TrainOptions>();
    auto* cmd = app.add_subcommand("train", "Train an agent's models (Ctrl-C saves; --resume continues)");
    cmd->add_option("--agent", o->agent, "Agent folder")->required();
    cmd->add_option("--stage", o->stage, "What to train")->check(CLI::IsMember({"ml1", "ml2", "all"}))
        ->capture_default_str();
    cmd->add_option("--epochs", o->epochs, "Epochs (default from the agent's settings)")->check(CLI::Range(0, 100000));
    cmd->add_option("--seed", o->seed, "Seed of a fresh run (default from the agent's settings)")
        ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
    cmd->add_flag("--resume", o->resume, "Continue from the saved checkpoint");
    cmd->add_option("--device", o->device, "auto, cpu or cuda (default from the agent's settings)")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--world-size", o->world_size, "Processes training together (docs/distributed.md)")
        ->check(CLI::Range(1, 65536))->capture_default_str();
    cmd->add_option("--rank", o->rank, "This process's rank, 0 to world size - 1 (rank 0 saves)")
        ->check(CLI::Range(0, 65535))->capture_default_str();
    cmd->add_option("--master", o->master, "HOST:PORT of rank 0's rendezvous")->capture_default_str();
    cmd->callback([o] { run_train(*o); });
  }
  {
    auto o = std::make_shared<ListenOptions>();
    auto* cmd = app.add_subcommand("listen", "Hear a song, encode it, vary it and sing it back");
    cmd->add_option("--agent", o->agent, "Agent folder")->required();
    cmd->add_option("--in", o->in, "Heard audio")->required();
    cmd->add_option("--out", o->out, "Answer WAV (a .json sidecar is written beside it)")->required();
    cmd->add_option("--variation", o->variation, "σ of the Gaussian noise added to every latent (0: imitation)")
        ->check(CLI::Range(0.0, 100.0))->capture_default_str();
    cmd->add_option("--seed", o->seed, "Seed of the variation noise and of the voice")->capture_default_str();
    cmd->add_option("--device", o->device, "auto, cpu or cuda (default from the agent's settings)")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([o] { run_listen(*o); });
  }
  {
    auto o = std::make_shared<EncodeOptions>();
    auto* cmd = app.add_subcommand("encode", "Write a song's latent path (one row per snippet) as .npy");
    cmd->add_option("--agent", o->agent, "Agent folder")->required();
    cmd->add_option("audio", o->audio, "Audio file")->required();
    cmd->add_option("--out", o->out, "Output .npy, float32 (snippets, latent_dim)")->required();
    cmd->add_option("--device", o->device, "auto, cpu or cuda (default from the agent's settings)")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([o] { run_encode(*o); });
  }
}

}  // namespace mh::cli
