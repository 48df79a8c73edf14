#pragma once
/// Training an agent's models from the command line with progress on the terminal: one adapter
/// from a training run to a progress line and a closing sentence, shared by `train`, `agent new`
/// and the demo.
#include <string>

#include "agent/agent.hpp"

namespace mh::cli {

/// "validation MSE 0.0011 (mean snippet ×0.73, time-flat ×1.07)": ML1's eval-mode error on
/// held-out songs against the two trivial predictors (model/ml1_trainer.hpp ValidationFigures).
std::string ml1_validation_summary(double mse, double mean_snippet, double time_flat);

/// Trains one of the agent's models with `options` (its progress callbacks are set here), one
/// progress line per epoch labelled `label`. Ctrl-C stops after a step: what finished is saved
/// and InterruptedError says where and how to continue (`resume_hint`).
agent::TrainOutcome train_with_progress(agent::Agent& agent, agent::TrainStage stage, agent::TrainOptions options,
                                        const std::string& label, const std::string& resume_hint);

/// Prints the line saying which edits of the agent's [ml1] or [ml2] its saved model does not
/// take when continued (agent/edited_settings.hpp); nothing when all apply or there is no model.
void print_unused_edits(const agent::Agent& agent, agent::TrainStage stage);

/// "ML1 trained, 3 epochs, validation MSE …": the closing sentence of a run.
std::string trained_summary(agent::TrainStage stage, const agent::TrainOutcome& outcome);

struct AgentTrainingPlan {
  int ml1_epochs = -1;  ///< < 0: the agent's settings
  int ml2_epochs = -1;
  int64_t seed = -1;    ///< >= 0: overrides the settings' seeds
  /// How to go on after Ctrl-C; empty: `metahuman train … --resume` for the stage stopped.
  std::string resume_hint;
};

/// Trains ML1, computes the song orders and trains ML2. Throws InterruptedError after Ctrl-C
/// (what finished is saved), and what the agent's training throws.
void train_agent_models(agent::Agent& agent, const AgentTrainingPlan& plan);

}  // namespace mh::cli
