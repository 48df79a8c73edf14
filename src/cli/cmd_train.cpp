// metahuman train: ML1, ML2 or both, alone or data-parallel with other processes.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "agent/agent.hpp"
#include "agent/rank_checkpoint.hpp"
#include "cli/agent_training.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "model/distributed.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct TrainOptions {
  AgentChoice agent;
  std::string stage = "ml1";
  int epochs = -1;
  int64_t seed = -1;
  bool resume = false;
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

/// "trained, saved to PATH", or on the other ranks of a group "saved by rank 0".
std::string saved_where(const model::DataParallel* group, const fs::path& path) {
  return group && !group->is_main() ? std::string("saved by rank 0") : "saved to " + path.string();
}

void train_stage(agent::Agent& a, agent::TrainStage stage, const TrainOptions& o, model::DataParallel* group) {
  agent::TrainOptions t;
  t.epochs = o.epochs;
  // After ML1 trained further, ML2's saved run belongs to the old ML1: `all` then starts it afresh.
  t.resume = o.resume && (stage == agent::TrainStage::kMl1 || o.stage == "ml2" || a.ml2_is_current());
  t.seed = o.seed;
  t.sync = group;
  const bool ml1 = stage == agent::TrainStage::kMl1;
  if (t.resume) print_unused_edits(a, stage);
  const auto outcome = train_with_progress(a, stage, t, ml1 ? "ml1" : "ml2", "continue with --resume");
  fmt::print("{}: {}, {}\n", a.name(), trained_summary(stage, outcome),
             saved_where(group, ml1 ? a.ml1_path() : a.ml2_path()));
}

void run_train(const TrainOptions& o) {
  auto a = open_agent(o.agent);
  const auto group = join_group(o, a.device());
  if (o.stage == "ml1" || o.stage == "all") {
    train_stage(a, agent::TrainStage::kMl1, o, group.get());
    if (group && o.stage == "all") agent::adopt_main_rank_ml1(*group, a);
  }
  if (o.stage == "ml2" || o.stage == "all") {
    const auto orders = a.song_orders();
    fmt::print("{}: {} song orders from ML1 {} in {}\n", a.name(), orders.size(), orders.ml1_version,
               a.orders_path().string());
    train_stage(a, agent::TrainStage::kMl2, o, group.get());
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "train", "Train an agent's models (Ctrl-C saves; --resume continues)", run_train);
  add_agent_options(cmd, o->agent);
  cmd->add_option("--stage", o->stage, "What to train")
      ->check(CLI::IsMember({"ml1", "ml2", "all"}))
      ->capture_default_str();
  cmd->add_option("--epochs", o->epochs, "Epochs (default from the agent's settings)")->check(CLI::Range(0, 100000));
  cmd->add_option("--seed", o->seed, "Seed of a fresh run (default from the agent's settings)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
  cmd->add_flag("--resume", o->resume, "Continue from the saved checkpoint");
  cmd->add_option("--world-size", o->world_size, "Processes training together (docs/distributed.md)")
      ->check(CLI::Range(1, 65536))->capture_default_str();
  cmd->add_option("--rank", o->rank, "This process's rank, 0 to world size - 1 (rank 0 saves)")
      ->check(CLI::Range(0, 65535))->capture_default_str();
  cmd->add_option("--master", o->master, "HOST:PORT of rank 0's rendezvous")->capture_default_str();
}

}  // namespace mh::cli
