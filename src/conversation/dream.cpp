#include "conversation/dream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "agent/agent.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"

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
  for (const auto& song : manifest.songs()) {
    if (song.provenance.split != corpus::Split::kTrain) continue;
    for (int64_t i = 0; i < song.n_snippets(); ++i) {
      const int64_t id = song.first_item + i;
      (song.provenance.depth == 0 ? human : heard).push_back(id);
      if (song.id >= first_new_song) recent.push_back(id);
    }
  }
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  DreamPlan plan;
  plan.seed = seed;
  plan.ml1_epochs = role.dream_ml1_epochs;
  plan.ml2_epochs = role.dream_ml2_epochs;
  switch (role.policy()) {
    case DreamPolicy::kAccumulate:
      plan.items = human;
      plan.items.insert(plan.items.end(), heard.begin(), heard.end());
      break;
    case DreamPolicy::kReplace:
      plan.items = recent.empty() ? human : recent;
      if (recent.empty()) plan.items.insert(plan.items.end(), heard.begin(), heard.end());
      break;
    case DreamPolicy::kMix: {
      plan.items = heard;
      const double lambda = role.mix_human_share;
      int64_t n_human = static_cast<int64_t>(human.size());
      if (!heard.empty() && lambda < 1.0) {
        n_human = static_cast<int64_t>(std::llround(lambda / (1.0 - lambda) * static_cast<double>(heard.size())));
      }
      const auto drawn = draw(human, n_human, gen);
      plan.items.insert(plan.items.end(), drawn.begin(), drawn.end());
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
  int64_t n_human = 0;
  for (const auto id : plan.items) n_human += manifest.item(id).song->provenance.depth == 0 ? 1 : 0;
  plan.human_share = static_cast<double>(n_human) / static_cast<double>(plan.items.size());
  return plan;
}

bool run_dream(agent::Agent& agent, const DreamPlan& plan, const fs::path& snapshot, const DreamCallbacks& callbacks) {
  if (fs::exists(snapshot)) {
    write_file_atomic(agent.ml1_path(), read_file(snapshot));
  } else {
    fs::create_directories(snapshot.parent_path());
    write_file_atomic(snapshot, read_file(agent.ml1_path()));
  }
  if (plan.ml1_epochs > 0) {
    agent::TrainOptions o;
    o.epochs = plan.ml1_epochs;
    o.continue_training = true;
    o.train_items = plan.items;
    o.stop = callbacks.stop;
    if (callbacks.progress) {
      o.progress = [&](const model::TrainProgress& p) { callbacks.progress("ml1", p.epoch, p.loss); };
    }
    const auto outcome = agent.train_ml1(o);
    if (outcome.stopped) return false;
    if (callbacks.ml1_trained) callbacks.ml1_trained(outcome);
  }
  if (plan.ml2_epochs > 0) {
    agent::TrainOptions o;
    o.epochs = plan.ml2_epochs;
    o.seed = static_cast<int64_t>(plan.seed & 0x7fffffffffffffffULL);
    o.stop = callbacks.stop;
    if (callbacks.progress) {
      o.ml2_progress = [&](const model::Ml2TrainProgress& p) { callbacks.progress("ml2", p.epoch, p.loss); };
    }
    if (agent.train_ml2(o).stopped) return false;
  }
  return true;
}

}  // namespace mh::conversation
