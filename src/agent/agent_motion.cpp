#include "agent/agent_motion.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "agent/agent.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::agent {

AgentMotion agent_motion(Agent& agent, int songs, double seconds, torch::Generator& generator, int64_t window,
                         double temperature) {
  check_range("motion: songs", songs, 1, 1000);
  const auto orders = agent.song_orders();
  std::vector<int64_t> human;
  std::vector<torch::Tensor> training;
  for (const auto& song : agent.dataset().manifest().songs()) {
    if (song.provenance.split != corpus::Split::kTrain) continue;
    training.push_back(orders.orders.at(static_cast<size_t>(song.id)));
    if (song.provenance.depth == 0) human.push_back(song.id);
  }
  if (human.empty()) {
    throw DatasetError(fmt::format("{}: no human songs in the training split to compare with", agent.dir().string()));
  }
  AgentMotion out;
  if (static_cast<int64_t>(human.size()) > songs) {
    const auto perm = torch::randperm(static_cast<int64_t>(human.size()), generator, torch::kInt64);
    for (int i = 0; i < songs; ++i) out.human_songs.push_back(human[static_cast<size_t>(perm[i].item<int64_t>())]);
    std::sort(out.human_songs.begin(), out.human_songs.end());
  } else {
    out.human_songs = human;
  }
  std::vector<torch::Tensor> learned;
  for (const auto id : out.human_songs) learned.push_back(orders.orders.at(static_cast<size_t>(id)));
  const auto machine = agent.compose(songs, seconds, generator, temperature);
  out.training_songs = static_cast<int64_t>(training.size());
  out.comparison = model::compare_motion(learned, machine, training, window);
  return out;
}

}  // namespace mh::agent
