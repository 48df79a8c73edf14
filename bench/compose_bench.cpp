// Machine songs (issue 4 figures). With MH_COMPOSE_AGENT naming a trained agent folder (ML1 and
// ML2, e.g. made by `metahuman ingest` + `metahuman train --stage all`):
// - BM_ComposeSixtySeconds: one 60-s machine song from sampling to WAV (ML2 sample → ML1 decode
//   → voice → 16-bit WAV + sidecar), ms per song. Without the variable it times an agent with
//   untrained models of the default sizes (2.0_128 snippets, fast ML1 with 128 latents, sequence
//   ML2), which costs the same.
// - BM_Ml2HeldOut/<preset>: a fresh ML2 of each preset trained (the agent's [ml2] settings; epochs
//   from MH_COMPOSE_ML2_EPOCHS when set) on the orders of every song whose title does not start
//   with MH_COMPOSE_HOLDOUT and validated after every epoch on those that do: counters val_mse and
//   val_length_error after the last epoch (normalised units, decoding mu; steps), best_val_mse
//   and best_epoch over the run.
// - BM_ComposedFrechet: Fréchet distance between the ML1 latents of 50 songs composed by the
//   agent's ML2 (seed 0, lengths decided by ML2) and those of all its real songs (fd_composed),
//   against the distance between two halves of the real songs (fd_halves: songs split by a
//   seeded permutation), and their ratio.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "agent/agent.hpp"
#include "agent/song_file.hpp"
#include "conversation/measures.hpp"
#include "core/files.hpp"
#include "core/memory.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/ml2_trainer.hpp"

namespace {

namespace fs = std::filesystem;

const bool kSetUp = [] {
  mh::keep_freed_memory();
  torch::set_num_threads(2);
  return true;
}();

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

fs::path scratch_dir() { return fs::temp_directory_path() / "metahuman-compose-bench"; }

/// An agent with untrained models of the default sizes: ML1 as initialised, ML2 with statistics
/// of synthetic orders of 30 steps (one 60-s song of 2-s snippets).
fs::path untrained_agent() {
  const auto dir = scratch_dir() / "untrained";
  if (fs::exists(dir / "ml2.ckpt")) return dir;
  fs::remove_all(dir);
  mh::agent::AgentSettings s;
  s.device = "cpu";
  auto a = mh::agent::Agent::create(dir, s);
  const auto options = mh::model::options_for(s.ml1, s.front_end.mel.n_mels, static_cast<int>(s.front_end.frames()));
  mh::model::ConvVae ml1(options);
  mh::write_file_atomic(a.ml1_path(), mh::model::save_ml1_checkpoint(s.ml1, ml1, nullptr, {}));
  mh::model::Ml2 ml2(s.ml2, s.ml1.latent_dim, torch::kCPU);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  ml2.net().set_stats(mh::model::OrderStats::compute({torch::randn({30, s.ml1.latent_dim}, gen)}));
  ml2.set_ml1_version(a.ml1_version());
  mh::write_file_atomic(a.ml2_path(), mh::model::save_ml2_checkpoint(ml2));
  return dir;
}

void BM_ComposeSixtySeconds(benchmark::State& state) {
  const auto from = env("MH_COMPOSE_AGENT");
  auto a = mh::agent::Agent::open(from.empty() ? untrained_agent() : fs::path(from));
  a.set_device(torch::kCPU);
  const auto voice = a.voice();
  const auto out = scratch_dir() / "sixty.wav";
  uint64_t seed = 0;
  double seconds = 0;
  for (auto _ : state) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed++);
    const auto latents = a.compose(1, 60.0, gen).front();
    const auto audio = voice.sing(latents, gen);
    mh::agent::write_song(out, audio, voice.sample_rate_hz(), {{"seed", seed}}, latents);
    seconds = static_cast<double>(audio.size(0)) / voice.sample_rate_hz();
  }
  state.counters["song_s"] = seconds;
}

void BM_Ml2HeldOut(benchmark::State& state, const std::string& preset) {
  const auto from = env("MH_COMPOSE_AGENT");
  const auto holdout = env("MH_COMPOSE_HOLDOUT");
  if (from.empty() || holdout.empty()) {
    state.SkipWithError("set MH_COMPOSE_AGENT (a trained agent) and MH_COMPOSE_HOLDOUT (title prefix of held-out songs)");
    return;
  }
  auto a = mh::agent::Agent::open(from);
  a.set_device(torch::kCPU);
  const auto orders = a.song_orders();
  std::vector<int64_t> train, val;
  for (const auto& song : a.dataset().manifest().songs()) {
    (song.record.title.rfind(holdout, 0) == 0 ? val : train).push_back(song.id);
  }
  auto settings = a.settings().ml2;
  settings.preset = preset;
  if (!env("MH_COMPOSE_ML2_EPOCHS").empty()) settings.epochs = std::stoi(env("MH_COMPOSE_ML2_EPOCHS"));
  std::vector<mh::model::Ml2EpochRecord> history;
  for (auto _ : state) {
    mh::model::Ml2Trainer trainer(settings, orders.dim(), torch::kCPU);
    trainer.train(orders, train, val);
    history = trainer.history();
  }
  const auto best = std::min_element(history.begin(), history.end(), [](const auto& x, const auto& y) {
    return x.val_reconstruction < y.val_reconstruction;
  });
  state.counters["val_mse"] = history.back().val_reconstruction;
  state.counters["val_length_error"] = history.back().val_length_error;
  state.counters["best_val_mse"] = best->val_reconstruction;
  state.counters["best_epoch"] = static_cast<double>(best->epoch);
  state.counters["train_songs"] = static_cast<double>(train.size());
  state.counters["val_songs"] = static_cast<double>(val.size());
}

torch::Tensor stacked(const std::vector<torch::Tensor>& orders) { return torch::cat(orders, 0).to(torch::kFloat64); }

void BM_ComposedFrechet(benchmark::State& state) {
  const auto from = env("MH_COMPOSE_AGENT");
  if (from.empty()) {
    state.SkipWithError("set MH_COMPOSE_AGENT (an agent with ML1 and ML2)");
    return;
  }
  auto a = mh::agent::Agent::open(from);
  a.set_device(torch::kCPU);
  double fd_composed = 0, fd_halves = 0;
  for (auto _ : state) {
    const auto real = a.song_orders().orders;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
    const auto composed = a.compose(50, 0, gen);
    const auto real_fit = mh::conversation::fit_gaussian(stacked(real));
    fd_composed = mh::conversation::frechet_distance(mh::conversation::fit_gaussian(stacked(composed)), real_fit);
    const auto perm = torch::randperm(static_cast<int64_t>(real.size()), gen, torch::kInt64);
    std::vector<torch::Tensor> half_a, half_b;
    for (int64_t i = 0; i < perm.size(0); ++i) {
      (2 * i < perm.size(0) ? half_a : half_b).push_back(real[static_cast<size_t>(perm[i].item<int64_t>())]);
    }
    fd_halves = mh::conversation::frechet_distance(mh::conversation::fit_gaussian(stacked(half_a)),
                                                   mh::conversation::fit_gaussian(stacked(half_b)));
  }
  state.counters["fd_composed"] = fd_composed;
  state.counters["fd_halves"] = fd_halves;
  state.counters["ratio"] = fd_composed / fd_halves;
}

BENCHMARK(BM_ComposeSixtySeconds)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK_CAPTURE(BM_Ml2HeldOut, sequence, std::string("sequence"))->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Ml2HeldOut, dense, std::string("dense"))->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_ComposedFrechet)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
