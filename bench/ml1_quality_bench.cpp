// ML1 quality per second of training: eval-mode validation MSE on songs never trained on, after a
// fixed wall-clock budget, next to the two trivial predictors (the mean training snippet, and each
// snippet's own time-averaged spectrum). Speed work is judged by these figures.
//
// MH_ML1_QUALITY_DIR names a folder of normalised mel snippets, one .npy per recording as
// `metahuman mel` writes them (e.g. every movement of the cello corpus); files whose name starts
// with MH_ML1_QUALITY_HOLDOUT (default "cs6-") are the validation set, the others the training
// set. Without the variable the benchmark is skipped.
//   for f in ../shared/corpora/cello/*.flac; do build/metahuman mel $f --out /tmp/q/$(basename $f .flac).npy; done
//   MH_ML1_QUALITY_DIR=/tmp/q build/bench/metahuman_bench --benchmark_filter=Ml1Quality
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "core/npy.hpp"
#include "model/ml1_settings.hpp"
#include "model/snippet_source.hpp"
#include "model/ml1_trainer.hpp"

namespace {

struct QualitySplit {
  torch::Tensor train, validation;  // [N, 1, 128, frames]
};

const QualitySplit* quality_split() {
  static const QualitySplit split = [] {
    QualitySplit s;
    const char* dir = std::getenv("MH_ML1_QUALITY_DIR");
    if (dir == nullptr) return s;
    const char* holdout_env = std::getenv("MH_ML1_QUALITY_HOLDOUT");
    const std::string holdout = holdout_env ? holdout_env : "cs6-";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".npy") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<torch::Tensor> train, val;
    for (const auto& f : files) {
      auto x = mh::read_npy(f).to(torch::kFloat32).unsqueeze(1);
      (f.filename().string().rfind(holdout, 0) == 0 ? val : train).push_back(x);
    }
    if (!train.empty() && !val.empty()) s = {torch::cat(train).contiguous(), torch::cat(val).contiguous()};
    return s;
  }();
  return split.train.defined() ? &split : nullptr;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Trains a fresh model of `preset` for `budget_s` seconds (stopping after the batch in progress),
// then measures on the held-out songs.
void BM_Ml1Quality(benchmark::State& state, const char* preset) {
  const auto* split = quality_split();
  if (split == nullptr) {
    state.SkipWithError("set MH_ML1_QUALITY_DIR (see the comment at the top of bench/ml1_quality_bench.cpp)");
    return;
  }
  const double budget_s = static_cast<double>(state.range(0));
  mh::model::Ml1Settings settings;
  settings.preset = preset;
  settings.epochs = 100000;
  const int64_t frames = split->train.size(3);
  for (auto _ : state) {
    // Train and validate on one set object: the trainer reads batches from both by index.
    const int64_t n_train = split->train.size(0);
    const mh::model::InMemorySnippetSource source(torch::cat({split->train, split->validation}));
    auto val = iota(source.size());
    val.erase(val.begin(), val.begin() + n_train);
    mh::model::Ml1Trainer trainer(settings, mh::model::options_for(settings, 128, static_cast<int>(frames)),
                                  torch::kCPU);
    std::atomic<bool> stop{false};
    std::thread timer([&] {
      const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(budget_s);
      while (!stop.load() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      stop = true;
    });
    trainer.train(source, iota(n_train), val, {}, &stop);
    stop = true;
    timer.join();
    const auto f = trainer.validation_figures(source, val);
    state.counters["val_mse"] = f.model;
    state.counters["val_over_time_flat"] = f.model / f.time_flat;
    state.counters["val_over_mean_snippet"] = f.model / f.mean_snippet;
    state.counters["epochs"] = static_cast<double>(trainer.epochs_done());
    state.counters["train_snippets"] = static_cast<double>(n_train);
  }
}

BENCHMARK_CAPTURE(BM_Ml1Quality, fast, "fast")->Arg(60)->Arg(300)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Ml1Quality, seed, "seed")->Arg(60)->Arg(300)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
