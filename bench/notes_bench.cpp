// The notes measure (docs/notes.md) on a 30-s song at 44.1 kHz: both signals resampled to
// 22050 Hz, analysed and aligned, as the conversation does for every imitation and variation.
// The answer is the song with 30 ms dropped every 2 s, so the alignment follows a drift.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "agent/note_measure.hpp"

namespace {

constexpr int kSongRateHz = 44100;
constexpr double kSongSeconds = 30.0;

/// A melody of 4 partials, a new note every 0.3 s, with a -50 dB noise floor.
torch::Tensor melody() {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(99);
  const auto n = static_cast<int64_t>(kSongSeconds * kSongRateHz);
  const auto t = torch::arange(n, torch::kFloat64) / kSongRateHz;
  const auto f0 = 110.0 * torch::pow(2.0, torch::remainder(torch::floor(t / 0.3) * 7.0, 24.0) / 12.0);
  const auto phase = 2.0 * M_PI * torch::cumsum(f0, 0) / kSongRateHz;
  auto x = 0.003 * torch::randn({n}, gen, torch::kFloat64);
  for (int k = 1; k <= 4; ++k) x += (0.25 / k) * torch::sin(k * phase);
  return x.to(torch::kFloat32);
}

torch::Tensor drifted(const torch::Tensor& x) {
  const auto every = static_cast<int64_t>(2.0 * kSongRateHz), drop = static_cast<int64_t>(0.03 * kSongRateHz);
  std::vector<torch::Tensor> kept;
  for (int64_t a = 0; a < x.size(0); a += every) kept.push_back(x.slice(0, a, std::min(x.size(0), a + every - drop)));
  return torch::cat(kept);
}

void BM_NotesOfA30sSong(benchmark::State& state) {
  torch::set_num_threads(1);
  const auto heard = melody();
  const auto answer = drifted(heard);
  mh::dsp::NoteFigures figures;
  for (auto _ : state) {
    figures = mh::agent::compare_notes_at(heard, kSongRateHz, answer, kSongRateHz);
    benchmark::DoNotOptimize(figures);
  }
  state.counters["pitch_agreement"] = figures.pitch_agreement;
}
BENCHMARK(BM_NotesOfA30sSong)->Unit(benchmark::kMillisecond);

}  // namespace
