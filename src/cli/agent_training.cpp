#include "cli/agent_training.hpp"

#include <fmt/format.h>

#include <cmath>

#include "cli/progress_line.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace mh::cli {

std::string ml1_validation_summary(double mse, double mean_snippet, double time_flat) {
  if (!std::isfinite(mse)) return "no validation songs";
  return fmt::format("validation MSE {:.4g} (mean snippet ×{:.2f}, time-flat ×{:.2f})", mse, mse / mean_snippet,
                     mse / time_flat);
}

void train_agent_models(agent::Agent& a, const AgentTrainingPlan& plan) {
  const auto& stop = interrupt_flag();
  agent::TrainOptions t1;
  t1.epochs = plan.ml1_epochs;
  t1.seed = plan.seed;
  t1.stop = &stop;
  ProgressLine ml1(a.name() + " ML1", "batches/s");
  t1.progress = [&](const model::TrainProgress& p) {
    ml1.update(p.epoch, p.batch, p.n_batches, fmt::format("loss {:.4g} {:.0f} snippets/s", p.loss, p.snippets_per_s));
  };
  const auto r1 = a.train_ml1(t1);
  ml1.finish();
  if (r1.stopped) throw InterruptedError(fmt::format("interrupted: {} ML1 saved after {} epochs", a.name(), r1.epochs_done));
  fmt::print("{}: ML1 trained ({} epochs, {})\n", a.name(), r1.epochs_done,
             ml1_validation_summary(r1.val_reconstruction, r1.val_mean_snippet, r1.val_time_flat));

  agent::TrainOptions t2;
  t2.epochs = plan.ml2_epochs;
  t2.seed = plan.seed;
  t2.stop = &stop;
  ProgressLine ml2(a.name() + " ML2", "batches/s");
  t2.ml2_progress = [&](const model::Ml2TrainProgress& p) {
    ml2.update(p.epoch, p.batch, p.n_batches, fmt::format("loss {:.4g}", p.loss));
  };
  const auto r2 = a.train_ml2(t2);
  ml2.finish();
  if (r2.stopped) throw InterruptedError(fmt::format("interrupted: {} ML2 saved after {} epochs", a.name(), r2.epochs_done));
  fmt::print("{}: ML2 trained ({} epochs, validation MSE {:.4g})\n", a.name(), r2.epochs_done, r2.val_reconstruction);
}

}  // namespace mh::cli
