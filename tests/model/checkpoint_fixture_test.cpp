// Checkpoints written by an earlier build (tests/fixtures/checkpoints, made before the two
// trainers shared one epoch runner and one checkpoint framing) must still load and train on to
// the very figures that build reached. Each holds a run stopped inside its second epoch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "core/files.hpp"
#include "model/ml2_trainer.hpp"
#include "model/ml1_trainer.hpp"
#include "support/paths.hpp"

namespace mh::model {

namespace {

std::filesystem::path checkpoints_dir() { return mh::test::fixtures_dir() / "checkpoints"; }

std::vector<int64_t> index_range(int64_t from, int64_t to) {
  std::vector<int64_t> v(static_cast<size_t>(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

ConvVaeOptions ml1_options() {
  auto o = ConvVaeOptions::fast(32, 16);
  o.filters = {4, 8, 8};
  o.kernels = {{3, 3}, {3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}, {2, 1}};
  o.latent_dim = 8;
  return o;
}

Ml1Settings ml1_settings() {
  Ml1Settings s;
  s.batch_size = 4;
  s.epochs = 3;
  s.learning_rate = 5e-3;
  s.seed = 11;
  // The settings the fixtures were written with, before these defaults changed.
  s.loss = "mse";
  s.lr_decay_epochs = 0;
  s.lr_final_fraction = 1.0;
  return s;
}

torch::Tensor ml1_snippets() {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(123);
  const auto mel = torch::arange(32, torch::kFloat32).view({1, 32, 1});
  const auto t = torch::arange(16, torch::kFloat32).view({1, 1, 16});
  const auto f0 = torch::rand({12, 1, 1}, gen) * 8 + 2;
  const auto decay = torch::rand({12, 1, 1}, gen) * 0.15;
  auto bands = torch::zeros({12, 32, 1});
  for (int h = 1; h <= 3; ++h) bands = bands + torch::exp(-(mel - f0 * h).pow(2) / 2.0) / h;
  return (0.15 + 0.8 * bands.clamp_max(1.0) * torch::exp(-decay * t)).unsqueeze(1).contiguous();
}

Ml2Settings ml2_settings() {
  Ml2Settings s;
  s.preset = "sequence";
  s.latent_dim = 8;
  s.hidden = 32;
  s.max_length = 24;
  s.batch_size = 8;
  s.learning_rate = 5e-3;
  s.epochs = 3;
  s.kl_weight = 1e-3;
  s.seed = 11;
  return s;
}

SongOrders ml2_orders() {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto u = torch::rand({12, 3}, gen);
  SongOrders s;
  s.ml1_version = "ml1-fixture";
  const auto shift = torch::arange(8, torch::kFloat32).unsqueeze(0) * (M_PI / 4);
  for (int64_t i = 0; i < 12; ++i) {
    const int64_t len = 6 + static_cast<int64_t>(u[i][2].item<double>() * 15 * 0.999);
    const auto t = torch::arange(len, torch::kFloat32).unsqueeze(1);
    s.orders.push_back(
        (torch::sin(t * (0.15 + 0.35 * u[i][0].item<double>()) + 2 * M_PI * u[i][1].item<double>() + shift) + 1.0)
            .contiguous());
    s.song_ids.push_back("song" + std::to_string(i));
  }
  return s;
}

double weight_sum(torch::nn::Module& m) {
  double sum = 0;
  for (const auto& p : m.parameters()) sum += p.to(torch::kFloat64).abs().sum().item<double>();
  return sum;
}

// Figures the earlier build printed after training each fixture on to its third epoch.
struct Figures {
  double train_total[3], val_reconstruction[3], weights;
};

void expect_figures(const Figures& want, const double (&total)[3], const double (&val)[3], double weights) {
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(total[e], want.train_total[e]) << "epoch " << e + 1;
    EXPECT_EQ(val[e], want.val_reconstruction[e]) << "epoch " << e + 1;
  }
  EXPECT_EQ(weights, want.weights);
}

constexpr Figures kMl1Figures = {{0x1.5d1b686666666p+18, 0x1.67b57cp+18, 0x1.6378a8p+18},
                                 {0x1.af37ccp-6, 0x1.b031dep-6, 0x1.b0877cp-6},
                                 0x1.22b3804a81c8p+9};
constexpr Figures kMl2Figures = {{0x1.e8f4a6p+0, 0x1.ab603b999999ap+0, 0x1.77e5aa6666666p+0},
                                 {0x1.2ebe37a6f4deap+0, 0x1.25afa1642c859p+0, 0x1.189548590b216p+0},
                                 0x1.6ee149e35e68p+10};

// MH_WRITE_CHECKPOINT_FIXTURES=1 writes the fixtures again and prints their figures: only for
// a new checkpoint format, since fixtures written by the build under test prove nothing.
bool writing() { return std::getenv("MH_WRITE_CHECKPOINT_FIXTURES") != nullptr; }

void print_figures(const char* what, const double (&total)[3], const double (&val)[3], double weights) {
  std::printf("%s = {{%a, %a, %a}, {%a, %a, %a}, %a};\n", what, total[0], total[1], total[2], val[0], val[1], val[2],
              weights);
}

}  // namespace

TEST(CheckpointFixture, AnEarlierMl1CheckpointLoadsAndTrainsOnToTheSameFigures) {
  InMemorySnippetSource data(ml1_snippets());
  const auto path = checkpoints_dir() / "ml1_stopped_in_epoch_2.ckpt";
  if (writing()) {
    std::atomic<bool> stop{false};
    Ml1Trainer first(ml1_settings(), ml1_options(), torch::kCPU);
    TrainerCallbacks cb;
    cb.progress = [&](const TrainProgress& p) { stop = p.epoch == 2 && p.batch == 1; };
    ASSERT_TRUE(first.train(data, index_range(0, 10), {10, 11}, cb, &stop).stopped);
    write_file_atomic(path, first.checkpoint());
  }
  auto trainer = Ml1Trainer::resume(read_file(path), torch::kCPU, path.string());
  EXPECT_EQ(trainer.epochs_done(), 1);
  EXPECT_FALSE(trainer.train(data, index_range(0, 10), {10, 11}).stopped);
  ASSERT_EQ(trainer.history().size(), 3u);
  double total[3], val[3];
  for (int e = 0; e < 3; ++e) {
    total[e] = trainer.history()[e].train_total;
    val[e] = trainer.history()[e].val_reconstruction;
  }
  if (writing()) print_figures("kMl1Figures", total, val, weight_sum(*trainer.model()));
  expect_figures(kMl1Figures, total, val, weight_sum(*trainer.model()));
}

TEST(CheckpointFixture, AnEarlierMl2CheckpointLoadsAndTrainsOnToTheSameFigures) {
  const auto data = ml2_orders();
  const auto path = checkpoints_dir() / "ml2_stopped_in_epoch_2.ckpt";
  if (writing()) {
    std::atomic<bool> stop{false};
    Ml2Trainer first(ml2_settings(), 8, torch::kCPU);
    Ml2TrainerCallbacks cb;
    cb.progress = [&](const Ml2TrainProgress& p) { stop = p.epoch == 2 && p.batch == 1; };
    ASSERT_TRUE(first.train(data, index_range(0, 10), index_range(10, 12), cb, &stop).stopped);
    write_file_atomic(path, first.checkpoint());
  }
  auto trainer = Ml2Trainer::resume(read_file(path), torch::kCPU, path.string());
  EXPECT_EQ(trainer.epochs_done(), 1);
  EXPECT_FALSE(trainer.train(data, index_range(0, 10), index_range(10, 12)).stopped);
  ASSERT_EQ(trainer.history().size(), 3u);
  double total[3], val[3];
  for (int e = 0; e < 3; ++e) {
    total[e] = trainer.history()[e].train_total;
    val[e] = trainer.history()[e].val_reconstruction;
  }
  if (writing()) print_figures("kMl2Figures", total, val, weight_sum(trainer.model().net()));
  expect_figures(kMl2Figures, total, val, weight_sum(trainer.model().net()));
}

}  // namespace mh::model
