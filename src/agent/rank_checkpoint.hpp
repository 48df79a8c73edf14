#pragma once
/// Data-parallel training across machines that each hold their own copy of an agent folder.
#include "agent/agent.hpp"
#include "model/distributed.hpp"

namespace mh::agent {

/// After ML1 trained data-parallel only rank 0 saved it, and ML2's song orders must come from
/// that checkpoint on every rank: a rank whose folder lacks it or holds another takes rank 0's
/// bytes (on a shared folder they are already there). Every rank calls it; it ends on a barrier.
void adopt_main_rank_ml1(model::DataParallel& group, const Agent& agent);

}  // namespace mh::agent
