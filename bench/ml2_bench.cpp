// ML2 figures on orders of ML1's default size (D = 128):
// - training throughput, orders per second (items_per_second): one epoch per iteration over 64
//   synthetic orders of 24 to 400 steps (smooth paths), batch 16, default settings of each preset
//   (sequence: GRU 256, latent 32; dense: 128, 64 over 512 × 129 inputs, latent 32);
// - the time to sample one 60-s song's order (30 steps of 2 s) from each preset.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <numeric>

#include "core/memory.hpp"
#include "model/ml2_trainer.hpp"

namespace {

using mh::model::Ml2Settings;

constexpr int64_t kDim = 128;
constexpr int64_t kSongs = 64;

const bool kMl2SetUp = [] {
  mh::keep_freed_memory();
  torch::set_num_threads(2);
  return true;
}();

mh::model::SongOrders synthetic_orders() {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(42);
  mh::model::SongOrders s;
  s.ml1_version = "bench";
  const auto lengths = torch::randint(24, 401, {kSongs}, gen, torch::kInt64);
  for (int64_t i = 0; i < kSongs; ++i) {
    // A random walk smoothed by a running mean: consecutive snippets of a song are alike.
    const auto steps = torch::randn({lengths[i].item<int64_t>(), kDim}, gen) * 0.3;
    s.orders.push_back((steps.cumsum(0) / 4 + torch::randn({1, kDim}, gen)).contiguous());
    s.song_ids.push_back("song" + std::to_string(i));
  }
  return s;
}

Ml2Settings settings_for(const std::string& preset) {
  Ml2Settings s;
  s.preset = preset;
  s.epochs = 1;
  return s;
}

void train_epochs(benchmark::State& state, const std::string& preset) {
  const auto data = synthetic_orders();
  std::vector<int64_t> all(kSongs);
  std::iota(all.begin(), all.end(), 0);
  mh::model::Ml2Trainer trainer(settings_for(preset), kDim, torch::kCPU);
  trainer.train(data, all, {});  // untimed warm-up epoch: primitive creation, heap growth
  for (auto _ : state) {
    trainer.set_epochs(static_cast<int>(trainer.epochs_done()) + 1);
    trainer.train(data, all, {});
    benchmark::DoNotOptimize(trainer.history().back().train_total);
  }
  state.SetItemsProcessed(state.iterations() * kSongs);
  state.counters["params"] = static_cast<double>(trainer.model().net().parameter_count());
}

void sample_song(benchmark::State& state, const std::string& preset) {
  const auto data = synthetic_orders();
  mh::model::Ml2 model(settings_for(preset), kDim, torch::kCPU);
  model.net().set_stats(mh::model::OrderStats::compute(data.orders));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  model.sample(1, gen, 30, 30);
  for (auto _ : state) benchmark::DoNotOptimize(model.sample(1, gen, 30, 30));
}

void BM_Ml2TrainSequence(benchmark::State& state) { train_epochs(state, "sequence"); }
void BM_Ml2TrainDense(benchmark::State& state) { train_epochs(state, "dense"); }
void BM_Ml2SampleSongSequence(benchmark::State& state) { sample_song(state, "sequence"); }
void BM_Ml2SampleSongDense(benchmark::State& state) { sample_song(state, "dense"); }

BENCHMARK(BM_Ml2TrainSequence)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);
BENCHMARK(BM_Ml2TrainDense)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_Ml2SampleSongSequence)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Ml2SampleSongDense)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
