#pragma once
/// The motion figures of an agent's machine songs against its human songs
/// (model/order_motion.hpp, docs/ml2_composing.md): what `metahuman motion` prints and what a
/// dream logs in measures.jsonl.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "model/order_motion.hpp"

namespace mh::agent {

class Agent;

struct AgentMotion {
  model::MotionComparison comparison;
  std::vector<int64_t> human_songs;  ///< ids of the human songs compared, ascending
  int64_t training_songs = 0;        ///< orders the nearest distances were taken to
};

/// Composes `songs` machine songs of `seconds` (0: as long as ML2 decides) with `generator`
/// (and `temperature`, see Agent::compose)
/// and compares them with `songs` human songs of the training split (lineage depth 0; a seeded
/// draw from `generator` when there are more, all of them when fewer), whose stored orders are
/// the learned ones. Nearest distances are taken to every training-split order. Throws
/// SettingsError for songs outside [1, 1000], DatasetError without human training songs, and
/// as Agent::compose.
AgentMotion agent_motion(Agent& agent, int songs, double seconds, torch::Generator& generator, int64_t window = 8,
                         double temperature = 0);

}  // namespace mh::agent
