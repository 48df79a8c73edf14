#include "conversation/dream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "agent/agent.hpp"
#include "agent/agent_motion.hpp"
#include "core/errors.hpp"
#include "core/clock.hpp"
#include "core/files.hpp"
#include "core/memory.hpp"
#include "core/seed_mix.hpp"
#include "model/cpu_generator.hpp"

namespace mh::conversation {
namespace fs = std::filesystem;

namespace {

std::vector<int64_t> draw(const std::vector<int64_t>& pool, int64_t n, torch::Generator& gen) {
  std::vector<int64_t> out;
  if (pool.empty() || n <= 0) return out;
  if (n <= static_cast<int64_t>(pool.size())) {
    const auto perm = torch::randperm(static_cast<int64_t>(pool.size()), gen, torch::kInt64);
    for (int64_t i = 0; i < n; ++i) out.push_back(pool[static_cast<size_t>(perm[i].item<int64_t>())]);
  } else {
    const auto idx = torch::randint(static_cast<int64_t>(pool.size()), {n}, gen, torch::kInt64);
    for (int64_t i = 0; i < n; ++i) out.push_back(pool[static_cast<size_t>(idx[i].item<int64_t>())]);
  }
  return out;
}

}  // namespace

DreamPlan plan_dream(const agent::Agent& agent, const RoleSettings& role, int64_t first_new_song,
                     std::uint64_t seed) {
  const auto& manifest = agent.dataset().manifest();
  std::vector<int64_t> human, heard, recent;
  std::vector<int64_t> human_songs, heard_songs, recent_songs;
  for (const auto& song : manifest.songs()) {
    if (song.provenance.split != corpus::Split::kTrain) continue;
    const bool is_human = song.provenance.depth == 0;
    (is_human ? human_songs : heard_songs).push_back(song.id);
    if (song.id >= first_new_song) recent_songs.push_back(song.id);
    for (int64_t i = 0; i < song.n_snippets(); ++i) {
      const int64_t id = song.first_item + i;
      (is_human ? human : heard).push_back(id);
      if (song.id >= first_new_song) recent.push_back(id);
    }
  }
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  DreamPlan plan;
  plan.seed = seed;
  plan.ml1_epochs = role.dream_ml1_epochs;
  plan.ml2_epochs = role.dream_ml2_epochs;
  plan.batch_size = role.dream_batch_size > 0 ? role.dream_batch_size : agent.settings().ml1.batch_size;
  plan.learning_rate = role.dream_learning_rate > 0 ? role.dream_learning_rate : agent.settings().ml1.learning_rate;
  plan.budget_s = role.dream_budget_s;
  plan.ml2_start = role.dream_ml2_start;
  plan.ml2_fresh_drift = role.ml2_fresh_drift;
  plan.ml2_fresh_epochs = role.dream_ml2_fresh_epochs;
  auto all_of = [](std::vector<int64_t> a, const std::vector<int64_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  switch (role.dream_policy) {
    case DreamPolicy::kAccumulate:
      plan.items = all_of(human, heard);
      plan.songs = all_of(human_songs, heard_songs);
      break;
    case DreamPolicy::kReplace:
      plan.items = recent.empty() ? all_of(human, heard) : recent;
      plan.songs = recent_songs.empty() ? all_of(human_songs, heard_songs) : recent_songs;
      break;
    case DreamPolicy::kMix: {
      // λ = n_human / (n_human + n_heard): the human draw is sized to the heard material.
      const double lambda = role.mix_human_share;
      auto human_count = [&](size_t n_heard, size_t n_pool) {
        if (n_heard == 0 || lambda >= 1.0) return static_cast<int64_t>(n_pool);
        return static_cast<int64_t>(std::llround(lambda / (1.0 - lambda) * static_cast<double>(n_heard)));
      };
      plan.items = all_of(heard, draw(human, human_count(heard.size(), human.size()), gen));
      plan.songs = all_of(heard_songs, draw(human_songs, human_count(heard_songs.size(), human_songs.size()), gen));
      break;
    }
  }
  if (role.dream_max_items > 0 && static_cast<int64_t>(plan.items.size()) > role.dream_max_items) {
    plan.items = draw(plan.items, role.dream_max_items, gen);
  }
  if (plan.items.empty()) {
    throw DatasetError(fmt::format("{}: nothing to dream on: the dataset has no training snippets", agent.dir().string()));
  }
  std::sort(plan.items.begin(), plan.items.end());
  std::sort(plan.songs.begin(), plan.songs.end());
  plan.songs.erase(std::unique(plan.songs.begin(), plan.songs.end()), plan.songs.end());
  // ML2 reads whole songs up to its length: a longer one heard (a long machine song of a
  // short-snippet agent) still trains ML1, not ML2.
  const int64_t max_length = agent.settings().ml2.max_length;
  const auto too_long = std::remove_if(plan.songs.begin(), plan.songs.end(),
                                       [&](int64_t id) { return manifest.song(id).n_snippets() > max_length; });
  plan.songs_too_long = static_cast<int64_t>(plan.songs.end() - too_long);
  plan.songs.erase(too_long, plan.songs.end());
  int64_t n_human = 0;
  for (const auto id : plan.items) {
    const bool is_human = manifest.item(id).song->provenance.depth == 0;
    n_human += is_human ? 1 : 0;
    if (role.dream_policy == DreamPolicy::kMix) plan.strata.push_back(is_human ? 1 : 0);
  }
  plan.human_share = static_cast<double>(n_human) / static_cast<double>(plan.items.size());
  return plan;
}

double order_drift(const std::vector<torch::Tensor>& before, const std::vector<torch::Tensor>& after) {
  std::vector<torch::Tensor> old_steps, moves;
  for (size_t i = 0; i < std::min(before.size(), after.size()); ++i) {
    if (!before[i].defined() || !after[i].defined() || before[i].sizes() != after[i].sizes()) continue;
    old_steps.push_back(before[i].to(torch::kFloat64));
    moves.push_back(after[i].to(torch::kFloat64) - old_steps.back());
  }
  if (old_steps.empty()) return std::nan("");
  const auto old_all = torch::cat(old_steps, 0);
  const double spread = (old_all - old_all.mean(0)).pow(2).sum(1).mean().item<double>();
  const double moved = torch::cat(moves, 0).pow(2).sum(1).mean().item<double>();
  return spread > 0 ? moved / spread : (moved > 0 ? std::numeric_limits<double>::infinity() : 0.0);
}

namespace {

// The stream of the songs a dream composes to measure ML2, apart from the plan's draws.
constexpr std::uint64_t kMotionStream = 0x6d6f74696f6eULL;  // "motion"

/// The first call of a dream saves `file`; a redo restores it, so both start from the same state.
void snapshot_or_restore(const fs::path& file, const fs::path& snapshot) {
  if (fs::exists(snapshot)) {
    write_file_atomic(file, read_file(snapshot));
  } else if (fs::exists(file)) {
    fs::create_directories(snapshot.parent_path());
    write_file_atomic(snapshot, read_file(file));
  }
}

}  // namespace

std::optional<DreamReport> run_dream(agent::Agent& agent, const DreamPlan& plan, const fs::path& snapshot_dir,
                                     const std::string& stem, const DreamCallbacks& callbacks) {
  // ML2 first: a redo must not find the snapshot of ML1 taken and ML2's missing.
  const bool had_ml2 = agent.has_ml2();
  if (had_ml2) snapshot_or_restore(agent.ml2_path(), snapshot_dir / (stem + "_ml2_before.ckpt"));
  snapshot_or_restore(agent.ml1_path(), snapshot_dir / (stem + "_ml1_before.ckpt"));
  std::optional<SteadyClock::time_point> deadline;
  if (plan.budget_s > 0) {
    deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                        std::chrono::duration<double>(plan.budget_s));
  }
  DreamReport report;
  report.order_drift = std::nan("");
  const bool ml2_follows = plan.ml2_epochs > 0;
  std::vector<torch::Tensor> orders_before;
  if (ml2_follows && had_ml2) orders_before = agent.song_orders().orders;
  // Both models train within the dream's one deadline and stop on the same flag.
  const auto options = [&](int epochs) {
    agent::TrainOptions o;
    o.epochs = epochs;
    o.deadline = deadline;
    o.stop = callbacks.stop;
    return o;
  };
  if (plan.ml1_epochs > 0) {
    auto o = options(plan.ml1_epochs);
    o.continue_training = true;
    o.train_items = plan.items;
    o.train_strata = plan.strata;
    o.batch_size = plan.batch_size;
    o.learning_rate = plan.learning_rate;
    if (callbacks.progress) {
      o.progress = [&](const model::TrainProgress& p) { callbacks.progress("ml1", p.epoch, p.loss); };
    }
    const auto outcome = agent.train_ml1(o);
    if (outcome.stopped) return std::nullopt;
    report.out_of_time = outcome.out_of_time;
    report.ml1_epochs_done = outcome.epochs_this_call;
    if (callbacks.ml1_trained) callbacks.ml1_trained(outcome);
  }
  if (ml2_follows) {
    auto o = options(plan.ml2_epochs);
    o.train_songs = plan.songs;
    if (callbacks.progress) {
      o.ml2_progress = [&](const model::Ml2TrainProgress& p) { callbacks.progress("ml2", p.epoch, p.loss); };
    }
    if (!orders_before.empty()) report.order_drift = order_drift(orders_before, agent.song_orders().orders);
    switch (plan.ml2_start) {
      case Ml2DreamStart::kFineTune: o.continue_training = had_ml2; break;
      case Ml2DreamStart::kByDrift:
        o.continue_training =
            had_ml2 && std::isfinite(report.order_drift) && report.order_drift <= plan.ml2_fresh_drift;
        break;
      case Ml2DreamStart::kFresh: o.continue_training = false; break;
    }
    if (!o.continue_training) {
      o.seed = static_cast<int64_t>(plan.seed & 0x7fffffffffffffffULL);
      // A dream's few epochs leave a fresh model behind the one it replaces.
      o.epochs = plan.ml2_fresh_epochs > 0 ? plan.ml2_fresh_epochs : agent.settings().ml2.epochs;
    }
    const auto outcome = agent.train_ml2(o);
    if (outcome.stopped) return std::nullopt;
    report.out_of_time = report.out_of_time || outcome.out_of_time;
    report.ml2 = o.continue_training ? "fine-tune" : "fresh";
    report.ml2_val = outcome.val_reconstruction;
    if (agent.ml2_is_current()) {
      auto gen = model::cpu_generator(mix_seed(plan.seed, kMotionStream));
      report.ml2_motion = agent::agent_motion(agent, kDreamMotionSongs, 0, gen).comparison.to_json();
    }
  }
  // Start-up keeps freed memory for the training steps' reuse; between dreams of a conversation
  // that runs for days, the pages go back, so the process holds what it uses, not its peak.
  release_freed_memory();
  return report;
}

}  // namespace mh::conversation
