// metahuman train: ML1, ML2 or both, alone or data-parallel with other processes.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "cli/agent_training.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "model/distributed.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

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

/// Data-parallel training (docs/distributed.md): joins the other ranks before any training;
/// null when this process trains alone.
std::unique_ptr<model::DataParallel> join_group(const TrainOptions& o, torch::Device device) {
  if (o.world_size <= 1 && o.rank == 0) return nullptr;
  model::DistributedOptions d;
  d.world_size = o.world_size;
  d.rank = o.rank;
  model::parse_master_address(o.master, d);
  return std::make_unique<model::DataParallel>(d, device);
}

/// ML2's song orders come from the ML1 that rank 0 has just saved: a rank with its own copy of
/// the agent folder takes rank 0's checkpoint (on a shared folder it is already there).
void adopt_rank0_ml1(model::DataParallel& group, const agent::Agent& a) {
  const auto rank0_ml1 = group.share(group.is_main() ? read_file(a.ml1_path()) : std::string());
  if (!group.is_main() && (!fs::exists(a.ml1_path()) || read_file(a.ml1_path()) != rank0_ml1)) {
    write_file_atomic(a.ml1_path(), rank0_ml1);
  }
  group.barrier();
}

void train_ml1(agent::Agent& a, const TrainOptions& o, model::DataParallel* group, const std::string& saved) {
  agent::TrainOptions t;
  t.epochs = o.epochs;
  t.resume = o.resume;
  t.seed = o.seed;
  t.stop = &interrupt_flag();
  t.sync = group;
  ProgressLine bar("ml1", "batches/s");
  t.progress = [&](const model::TrainProgress& p) {
    bar.update(p.epoch, p.batch, p.n_batches,
               fmt::format("loss {:.4g} mse {:.4g} {:.1f} snippets/s", p.loss, p.reconstruction, p.snippets_per_s));
  };
  t.epoch_end = [&](const model::EpochRecord& r) {
    bar.finish(ml1_validation_summary(r.val_reconstruction, r.val_mean_snippet, r.val_time_flat));
  };
  const auto outcome = a.train_ml1(t);
  if (outcome.stopped) {
    throw InterruptedError(fmt::format("interrupted: ML1 saved after {} epochs in {}; continue with --resume",
                                       outcome.epochs_done, a.ml1_path().string()));
  }
  fmt::print("{}: ML1 trained, {} epochs, {}, {}\n", a.name(), outcome.epochs_done,
             ml1_validation_summary(outcome.val_reconstruction, outcome.val_mean_snippet, outcome.val_time_flat),
             saved);
}

void train_ml2(agent::Agent& a, const TrainOptions& o, model::DataParallel* group, const std::string& saved) {
  const auto orders = a.song_orders();
  fmt::print("{}: {} song orders from ML1 {} in {}\n", a.name(), orders.size(), orders.ml1_version,
             a.orders_path().string());
  agent::TrainOptions t;
  t.epochs = o.epochs;
  // After ML1 trained further, ML2's saved run belongs to the old ML1: `all` then starts it afresh.
  t.resume = o.resume && (o.stage == "ml2" || a.ml2_is_current());
  t.seed = o.seed;
  t.stop = &interrupt_flag();
  t.sync = group;
  ProgressLine bar("ml2", "batches/s");
  t.ml2_progress = [&](const model::Ml2TrainProgress& p) {
    bar.update(p.epoch, p.batch, p.n_batches,
               fmt::format("loss {:.4g} mse {:.4g} {:.1f} songs/s", p.loss, p.reconstruction, p.orders_per_s));
  };
  t.ml2_epoch_end = [&](const model::Ml2EpochRecord& r) {
    bar.finish(fmt::format("val mse {:.4g} length error {:.3g}", r.val_reconstruction, r.val_length_error));
  };
  const auto outcome = a.train_ml2(t);
  if (outcome.stopped) {
    throw InterruptedError(fmt::format("interrupted: ML2 saved after {} epochs in {}; continue with --resume",
                                       outcome.epochs_done, a.ml2_path().string()));
  }
  fmt::print("{}: ML2 trained, {} epochs, validation MSE {:.4g}, {}\n", a.name(), outcome.epochs_done,
             outcome.val_reconstruction, saved);
}

void run_train(const TrainOptions& o) {
  auto a = open_agent(o.agent, o.device);
  const auto group = join_group(o, a.device());
  const auto saved = [&](const fs::path& path) {
    return group && !group->is_main() ? std::string("saved by rank 0") : "saved to " + path.string();
  };
  if (o.stage == "ml1" || o.stage == "all") {
    train_ml1(a, o, group.get(), saved(a.ml1_path()));
    if (group && o.stage == "all") adopt_rank0_ml1(*group, a);
  }
  if (o.stage == "ml2" || o.stage == "all") train_ml2(a, o, group.get(), saved(a.ml2_path()));
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand("train", "Train an agent's models (Ctrl-C saves; --resume continues)");
  cmd->add_option("--agent", o->agent, "Agent folder")->required();
  cmd->add_option("--stage", o->stage, "What to train")->check(CLI::IsMember({"ml1", "ml2", "all"}))
      ->capture_default_str();
  cmd->add_option("--epochs", o->epochs, "Epochs (default from the agent's settings)")->check(CLI::Range(0, 100000));
  cmd->add_option("--seed", o->seed, "Seed of a fresh run (default from the agent's settings)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
  cmd->add_flag("--resume", o->resume, "Continue from the saved checkpoint");
  add_device_option(cmd, o->device);
  cmd->add_option("--world-size", o->world_size, "Processes training together (docs/distributed.md)")
      ->check(CLI::Range(1, 65536))->capture_default_str();
  cmd->add_option("--rank", o->rank, "This process's rank, 0 to world size - 1 (rank 0 saves)")
      ->check(CLI::Range(0, 65535))->capture_default_str();
  cmd->add_option("--master", o->master, "HOST:PORT of rank 0's rendezvous")->capture_default_str();
  cmd->callback([o] { run_train(*o); });
}

}  // namespace mh::cli
