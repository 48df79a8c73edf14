#include "cli/agent_training.hpp"

#include <fmt/format.h>

#include <cmath>

#include "agent/edited_settings.hpp"
#include "cli/progress_line.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace mh::cli {
namespace {

const char* model_name(agent::TrainStage stage) { return stage == agent::TrainStage::kMl1 ? "ML1" : "ML2"; }

}  // namespace

std::string ml1_validation_summary(double mse, double mean_snippet, double time_flat) {
  if (!std::isfinite(mse)) return "no validation songs";
  return fmt::format("validation MSE {:.4g} (mean snippet ×{:.2f}, time-flat ×{:.2f})", mse, mse / mean_snippet,
                     mse / time_flat);
}

agent::TrainOutcome train_with_progress(agent::Agent& a, agent::TrainStage stage, agent::TrainOptions t,
                                        const std::string& label, const std::string& resume_hint) {
  t.stop = &interrupt_flag();
  ProgressLine bar(label, "batches/s");
  if (stage == agent::TrainStage::kMl1) {
    t.progress = [&](const model::TrainProgress& p) {
      bar.update(p.epoch, p.batch, p.n_batches,
                 fmt::format("loss {:.4g} mse {:.4g} {:.1f} snippets/s", p.loss, p.reconstruction, p.snippets_per_s));
    };
    t.epoch_end = [&](const model::EpochRecord& r) {
      bar.finish(ml1_validation_summary(r.val_reconstruction, r.val_mean_snippet, r.val_time_flat));
    };
  } else {
    t.ml2_progress = [&](const model::Ml2TrainProgress& p) {
      bar.update(p.epoch, p.batch, p.n_batches,
                 fmt::format("loss {:.4g} mse {:.4g} {:.1f} songs/s", p.loss, p.reconstruction, p.orders_per_s));
    };
    t.ml2_epoch_end = [&](const model::Ml2EpochRecord& r) {
      bar.finish(fmt::format("val mse {:.4g} length error {:.3g}", r.val_reconstruction, r.val_length_error));
    };
  }
  const auto outcome = a.train(stage, t);
  bar.finish();
  if (outcome.stopped) {
    const auto& path = stage == agent::TrainStage::kMl1 ? a.ml1_path() : a.ml2_path();
    throw InterruptedError(fmt::format("interrupted: {} {} saved after {} epochs in {}; {}", a.name(),
                                       model_name(stage), outcome.epochs_done, path.string(), resume_hint));
  }
  return outcome;
}

void print_unused_edits(const agent::Agent& a, agent::TrainStage stage) {
  const auto line = agent::unused_edits_line(a, stage, agent::edited_settings(a, stage));
  if (!line.empty()) fmt::print("{}\n", line);
}

std::string trained_summary(agent::TrainStage stage, const agent::TrainOutcome& r) {
  const std::string figures =
      stage == agent::TrainStage::kMl1
          ? ml1_validation_summary(r.val_reconstruction, r.val_mean_snippet, r.val_time_flat)
          : fmt::format("validation MSE {:.4g}", r.val_reconstruction);
  return fmt::format("{} trained, {} epochs, {}", model_name(stage), r.epochs_done, figures);
}

void train_agent_models(agent::Agent& a, const AgentTrainingPlan& plan) {
  for (const auto stage : {agent::TrainStage::kMl1, agent::TrainStage::kMl2}) {
    agent::TrainOptions t;
    t.epochs = stage == agent::TrainStage::kMl1 ? plan.ml1_epochs : plan.ml2_epochs;
    t.seed = plan.seed;
    const std::string hint =
        !plan.resume_hint.empty()
            ? plan.resume_hint
            : fmt::format("continue with `metahuman train --agent {} --stage {} --resume`", a.dir().string(),
                          stage == agent::TrainStage::kMl1 ? "all" : "ml2");
    const auto outcome = train_with_progress(a, stage, t, fmt::format("{} {}", a.name(), model_name(stage)), hint);
    fmt::print("{}: {}\n", a.name(), trained_summary(stage, outcome));
  }
}

}  // namespace mh::cli
