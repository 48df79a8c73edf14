// ML1 training throughput on 2-s snippets (1 × 128 × 128) at batch 32, reported as snippets per
// second (items_per_second).
// - BM_Ml1Epoch*: the peer's figure (bench_peer.py, phase b_train_ml1_seed): Ml1Trainer epochs
//   of 128 snippets (4 shuffled batches), after an untimed warm-up batch, one repetition per
//   timed epoch. The snippets are the peer's own when MH_ML1_SNIPPETS names the .npy written by
//   bench/peer/ml1_snippets.py (28 snippets, tiled to 128 as the peer does); otherwise smooth
//   random spectrogram-like data (the speed does not depend on the values).
// - BM_Ml1Train*: one Adam step (forward, loss, backward, update) per iteration on one batch.
// Variants: the original `seed` model with the transposed convolutions computed as Conv2d input
// gradients (the CPU default) or by LibTorch's ConvTranspose2d, channels-last activations, and
// the `fast` preset; BM_Ml1EpochSeedPlainFrame runs the layers outside the mirrored frame
// (TensorFlow's odd padding row as padded and cropped copies, as the peer does).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <sys/resource.h>

#include <cstdlib>
#include <numeric>
#include <vector>

#include "core/errors.hpp"
#include "core/memory.hpp"
#include "core/npy.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/conv_vae.hpp"
#include "model/relu_batch_norm.hpp"
#include "model/ml1_trainer.hpp"
#include "model/vae_loss.hpp"

namespace {

using mh::model::ConvTransposeMode;
using mh::model::ConvVae;
using mh::model::ConvVaeOptions;

constexpr int64_t kBatch = 32;

const bool kMl1SetUp = [] {
  mh::keep_freed_memory();
  torch::set_num_threads(2);
  return true;
}();

// Pages faulted in so far by this process: a steady training loop that keeps its freed memory
// faults none in; every fresh page costs its first touch.
double minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_minflt);
}

torch::Tensor spectrogram_like_batch(int64_t frames) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
  const auto smooth = torch::rand({kBatch, 1, 16, frames / 8}, gen);
  return torch::nn::functional::interpolate(
             smooth, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{128, frames})
                         .mode(torch::kBilinear).align_corners(false))
      .clamp(0, 1)
      .contiguous();
}

// The peer's epoch: its test snippets tiled to `count` (or synthetic ones), [count, 1, 128, frames].
torch::Tensor epoch_snippets(int64_t count, int64_t frames) {
  if (const char* path = std::getenv("MH_ML1_SNIPPETS")) {
    auto s = mh::read_npy(path).to(torch::kFloat32);
    if (s.dim() == 3) s = s.unsqueeze(1);
    if (s.dim() != 4 || s.size(1) != 1 || s.size(2) != 128 || s.size(3) != frames) {
      throw mh::ShapeError("MH_ML1_SNIPPETS: expected [N, 128, frames] or [N, 1, 128, frames] snippets");
    }
    const int64_t reps = (count + s.size(0) - 1) / s.size(0);
    return s.repeat({reps, 1, 1, 1}).narrow(0, 0, count).contiguous();
  }
  std::vector<torch::Tensor> parts;
  for (int64_t n = 0; n < count; n += kBatch) parts.push_back(spectrogram_like_batch(frames));
  return torch::cat(parts).narrow(0, 0, count).contiguous();
}

void train_epochs(benchmark::State& state, const ConvVaeOptions& options, bool channels_last = false,
                  bool mirrored = true) {
  constexpr int64_t kEpochSnippets = 128;
  mh::model::Ml1Settings settings;
  settings.epochs = 1;
  settings.batch_size = static_cast<int>(kBatch);
  mh::model::Ml1Trainer trainer(settings, options, torch::kCPU);
  trainer.model()->set_channels_last(channels_last);
  state.counters["mirrored"] = trainer.model()->set_mirrored(mirrored) ? 1 : 0;
  const mh::model::InMemorySnippetSource source(epoch_snippets(kEpochSnippets, options.frames));
  std::vector<int64_t> all(kEpochSnippets);
  std::iota(all.begin(), all.end(), 0);
  // Untimed warm-up, as the peer's: one batch (oneDNN primitive creation, heap growth).
  trainer.train(source, std::vector<int64_t>(all.begin(), all.begin() + kBatch), {});
  const double faults_before = minor_faults();
  for (auto _ : state) {
    trainer.set_epochs(static_cast<int>(trainer.epochs_done()) + 1);
    trainer.train(source, all, {});
    benchmark::DoNotOptimize(trainer.history().back().train_total);
  }
  state.SetItemsProcessed(state.iterations() * kEpochSnippets);
  state.counters["page_faults_per_epoch"] = (minor_faults() - faults_before) / static_cast<double>(state.iterations());
  state.counters["MMAC_per_snippet"] = static_cast<double>(mh::model::multiply_adds(options)) / 1e6;
}

void BM_Ml1EpochSeed(benchmark::State& state) { train_epochs(state, ConvVaeOptions::seed(128, 128)); }

// The layers with TensorFlow's padding as padded and cropped copies (the peer's way).
void BM_Ml1EpochSeedPlainFrame(benchmark::State& state) {
  train_epochs(state, ConvVaeOptions::seed(128, 128), false, false);
}

void BM_Ml1EpochSeedNative(benchmark::State& state) {
  auto o = ConvVaeOptions::seed(128, 128);
  o.conv_transpose = ConvTransposeMode::kNative;
  train_epochs(state, o);
}

void BM_Ml1EpochSeedChannelsLast(benchmark::State& state) {
  train_epochs(state, ConvVaeOptions::seed(128, 128), true);
}

void BM_Ml1EpochFast(benchmark::State& state) { train_epochs(state, ConvVaeOptions::fast(128, 128)); }

void train_steps(benchmark::State& state, ConvVaeOptions options, bool channels_last = false) {
  ConvVae vae(options);
  vae->set_channels_last(channels_last);
  auto adam = mh::model::make_adam(vae, 5e-4);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const auto x = spectrogram_like_batch(options.frames);
  auto step = [&] {
    adam->zero_grad();
    const auto out = vae->forward(x, gen);
    const auto loss = mh::model::vae_loss(x, out.reconstruction, out.mu, out.log_var, 1e6);
    loss.total.backward();
    adam->step();
    return loss.total.item<double>();
  };
  step();  // untimed warm-up: oneDNN primitive creation, heap growth
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["MMAC_per_snippet"] = static_cast<double>(mh::model::multiply_adds(options)) / 1e6;
}

void BM_Ml1TrainSeedConvGrad(benchmark::State& state) {
  auto o = ConvVaeOptions::seed(128, 128);
  o.conv_transpose = ConvTransposeMode::kConvGrad;
  train_steps(state, o);
}

void BM_Ml1TrainSeedNative(benchmark::State& state) {
  auto o = ConvVaeOptions::seed(128, 128);
  o.conv_transpose = ConvTransposeMode::kNative;
  train_steps(state, o);
}

void BM_Ml1TrainFast(benchmark::State& state) { train_steps(state, ConvVaeOptions::fast(128, 128)); }

void BM_Ml1TrainFastChannelsLast(benchmark::State& state) { train_steps(state, ConvVaeOptions::fast(128, 128), true); }

void BM_Ml1TrainSeedChannelsLast(benchmark::State& state) {
  auto o = ConvVaeOptions::seed(128, 128);
  o.conv_transpose = ConvTransposeMode::kConvGrad;
  train_steps(state, o, true);
}

void BM_Ml1TrainFastNative(benchmark::State& state) {
  auto o = ConvVaeOptions::fast(128, 128);
  o.conv_transpose = ConvTransposeMode::kNative;
  train_steps(state, o);
}

// The seed decoder's costliest layer alone (128 → 256 channels, 32×32 → 64×64), forward and
// backward, for both implementations.
void BM_SeedDecoderLayer(benchmark::State& state) {
  const auto mode = state.range(0) == 0 ? ConvTransposeMode::kConvGrad : ConvTransposeMode::kNative;
  mh::model::SameConvTranspose2d layer(128, 256, mh::model::Pair{3, 3}, mh::model::Pair{2, 2}, mode);
  {
    torch::NoGradGuard no_grad;
    layer->weight.uniform_(-0.05, 0.05);
  }
  const auto x = torch::rand({kBatch, 128, 32, 32}).requires_grad_(true);
  auto step = [&] {
    layer->forward(x).sum().backward();
    return x.grad().sum().item<double>();
  };
  step();
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(state.range(0) == 0 ? "conv-grad" : "native");
}

// ReLU + BatchNorm over the seed's first-layer activations (32 × 512 × 64 × 64), forward then
// backward: Arg 0 the fused kernel, 1 torch's relu and batch_norm. Arg 2/3: forward only.
void BM_ReluBatchNormFirstLayer(benchmark::State& state) {
  const bool fused = state.range(0) % 2 == 0;
  const bool backward = state.range(0) < 2;
  torch::nn::BatchNorm2d bn(torch::nn::BatchNorm2dOptions(512).eps(1e-3).momentum(0.01));
  const auto input = torch::randn({kBatch, 512, 64, 64}).requires_grad_(true);
  const auto grad = torch::randn({kBatch, 512, 64, 64});
  auto step = [&] {
    input.mutable_grad().reset();  // the gradient is then taken over, not added
    const auto y = fused ? mh::model::relu_batch_norm(input, *bn) : bn->forward(torch::relu(input));
    if (backward) y.backward(grad);
    return y.numel();
  };
  step();
  for (auto _ : state) benchmark::DoNotOptimize(step());
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(std::string(fused ? "fused" : "torch") + (backward ? " fwd+bwd" : " fwd"));
}

BENCHMARK(BM_Ml1EpochSeed)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1EpochSeedPlainFrame)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1EpochSeedNative)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1EpochSeedChannelsLast)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1EpochFast)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1TrainSeedConvGrad)->Unit(benchmark::kMillisecond)->Iterations(4)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1TrainSeedNative)->Unit(benchmark::kMillisecond)->Iterations(4)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1TrainFast)->Unit(benchmark::kMillisecond)->Iterations(20)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1TrainSeedChannelsLast)->Unit(benchmark::kMillisecond)->Iterations(4)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1TrainFastChannelsLast)->Unit(benchmark::kMillisecond)->Iterations(20)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_Ml1TrainFastNative)->Unit(benchmark::kMillisecond)->Iterations(20)->Repetitions(3)->UseRealTime();
BENCHMARK(BM_ReluBatchNormFirstLayer)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();
BENCHMARK(BM_SeedDecoderLayer)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace
