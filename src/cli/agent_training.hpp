#pragma once
/// Training an agent's models from the command line with progress on the terminal, shared by
/// `agent new` and the demo.
#include "agent/agent.hpp"

namespace mh::cli {

/// "validation MSE 0.0011 (mean snippet ×0.73, time-flat ×1.07)": ML1's eval-mode error on
/// held-out songs against the two trivial predictors (model/trainer.hpp ValidationFigures).
std::string ml1_validation_summary(double mse, double mean_snippet, double time_flat);

struct AgentTrainingPlan {
  int ml1_epochs = -1;  ///< < 0: the agent's settings
  int ml2_epochs = -1;
  int64_t seed = -1;    ///< >= 0: overrides the settings' seeds
};

/// Trains ML1, computes the song orders and trains ML2. Throws InterruptedError after Ctrl-C
/// (what finished is saved), and what the agent's training throws.
void train_agent_models(agent::Agent& agent, const AgentTrainingPlan& plan);

}  // namespace mh::cli
