#include "cli/agent_training.hpp"

#include <fmt/format.h>

#include <cmath>

#include <memory>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/progress.hpp"

namespace mh::cli {

std::string ml1_validation_summary(double mse, double mean_snippet, double time_flat) {
  if (!std::isfinite(mse)) return "no validation songs";
  return fmt::format("validation MSE {:.4g} (mean snippet ×{:.2f}, time-flat ×{:.2f})", mse, mse / mean_snippet,
                     mse / time_flat);
}

void train_agent_models(agent::Agent& a, const AgentTrainingPlan& plan) {
  const auto& stop = interrupt_flag();
  std::unique_ptr<Progress> bar;
  int64_t current = -1;
  auto start_bar = [&](const std::string& label, int64_t epoch, int64_t batches) {
    if (epoch == current && bar) return;
    if (bar) bar->finish();
    bar = std::make_unique<Progress>(fmt::format("{} {} epoch {}", a.name(), label, epoch), batches, "batches/s");
    current = epoch;
  };
  agent::TrainOptions t1;
  t1.epochs = plan.ml1_epochs;
  t1.seed = plan.seed;
  t1.stop = &stop;
  t1.progress = [&](const model::TrainProgress& p) {
    start_bar("ML1", p.epoch, p.n_batches);
    bar->update(p.batch, 1, fmt::format("loss {:.4g} {:.0f} snippets/s", p.loss, p.snippets_per_s));
  };
  const auto r1 = a.train_ml1(t1);
  if (bar) bar->finish();
  bar.reset();
  current = -1;
  if (r1.stopped) throw InterruptedError(fmt::format("interrupted: {} ML1 saved after {} epochs", a.name(), r1.epochs_done));
  fmt::print("{}: ML1 trained ({} epochs, {})\n", a.name(), r1.epochs_done,
             ml1_validation_summary(r1.val_reconstruction, r1.val_mean_snippet, r1.val_time_flat));

  agent::TrainOptions t2;
  t2.epochs = plan.ml2_epochs;
  t2.seed = plan.seed;
  t2.stop = &stop;
  t2.ml2_progress = [&](const model::Ml2TrainProgress& p) {
    start_bar("ML2", p.epoch, p.n_batches);
    bar->update(p.batch, 1, fmt::format("loss {:.4g}", p.loss));
  };
  const auto r2 = a.train_ml2(t2);
  if (bar) bar->finish();
  if (r2.stopped) throw InterruptedError(fmt::format("interrupted: {} ML2 saved after {} epochs", a.name(), r2.epochs_done));
  fmt::print("{}: ML2 trained ({} epochs, validation MSE {:.4g})\n", a.name(), r2.epochs_done, r2.val_reconstruction);
}

}  // namespace mh::cli
