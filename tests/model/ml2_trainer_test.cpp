#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/errors.hpp"
#include "model/ml2_trainer.hpp"

namespace mh::model {

namespace {

constexpr int64_t kTrainerDim = 8;

// Songs as smooth paths in 8-D: every coordinate a sine of the same song-specific frequency
// and phase, shifted per coordinate, over a song-specific length. Three numbers per song.
SongOrders sine_paths(int64_t n, uint64_t seed, int64_t min_len = 6, int64_t max_len = 20) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto u = torch::rand({n, 3}, gen);
  SongOrders s;
  s.ml1_version = "ml1-test";
  const auto shift = torch::arange(kTrainerDim, torch::kFloat32).unsqueeze(0) * (M_PI / 4);
  const auto scale = torch::linspace(0.5, 2.0, kTrainerDim).unsqueeze(0);
  for (int64_t i = 0; i < n; ++i) {
    const double omega = 0.15 + 0.35 * u[i][0].item<double>();
    const double phase = 2 * M_PI * u[i][1].item<double>();
    const int64_t len = min_len + static_cast<int64_t>(u[i][2].item<double>() * (max_len - min_len + 1) * 0.999);
    const auto t = torch::arange(len, torch::kFloat32).unsqueeze(1);
    s.orders.push_back((torch::sin(t * omega + phase + shift) * scale + 1.0).contiguous());
    s.song_ids.push_back("song" + std::to_string(i));
  }
  return s;
}

std::vector<int64_t> index_range(int64_t from, int64_t to) {
  std::vector<int64_t> v(static_cast<size_t>(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

Ml2Settings tiny_settings(const std::string& preset, int epochs) {
  Ml2Settings s;
  s.preset = preset;
  s.latent_dim = 8;
  s.hidden = 32;
  s.max_length = 24;
  s.batch_size = 8;
  s.learning_rate = 5e-3;
  s.epochs = epochs;
  s.kl_weight = 1e-3;
  s.seed = 11;
  return s;
}

void expect_same_weights(Ml2& a, Ml2& b, double tol) {
  const auto pa = a.net().named_parameters();
  const auto pb = b.net().named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& p : pa) EXPECT_TRUE(torch::allclose(p.value(), pb[p.key()], tol, tol)) << p.key();
  const auto ba = a.net().named_buffers();
  const auto bb = b.net().named_buffers();
  for (const auto& p : ba) EXPECT_TRUE(torch::allclose(p.value(), bb[p.key()], tol, tol)) << p.key();
}

}  // namespace

TEST(Ml2Trainer, SequenceVaeLearnsSinePathsAndTheirLengths) {
  const auto data = sine_paths(48, 1);
  Ml2Trainer trainer(tiny_settings("sequence", 40), kTrainerDim, torch::kCPU);
  trainer.train(data, index_range(0, 40), index_range(40, 48));
  ASSERT_EQ(trainer.history().size(), 40u);
  const auto& last = trainer.history().back();
  EXPECT_LT(last.train_reconstruction, 0.1) << "first epoch " << trainer.history().front().train_reconstruction;
  // Held-out songs are only 8: they must improve clearly, not reach the training error.
  EXPECT_LT(last.val_reconstruction, 0.5 * trainer.history().front().val_reconstruction);
  EXPECT_LT(last.val_length_error, trainer.history().front().val_length_error);
  EXPECT_EQ(trainer.model().ml1_version(), "ml1-test");
}

TEST(Ml2Trainer, SequenceVaeBeatsTheDenseAutoencoderOnHeldOutSongs) {
  const auto data = sine_paths(48, 2);
  Ml2Trainer sequence(tiny_settings("sequence", 40), kTrainerDim, torch::kCPU);
  Ml2Trainer dense(tiny_settings("dense", 40), kTrainerDim, torch::kCPU);
  sequence.train(data, index_range(0, 40), index_range(40, 48));
  dense.train(data, index_range(0, 40), index_range(40, 48));
  const auto& s = sequence.history().back();
  const auto& d = dense.history().back();
  std::cout << "held-out MSE (normalised): sequence " << s.val_reconstruction << ", dense " << d.val_reconstruction
            << "; length error (steps): sequence " << s.val_length_error << ", dense " << d.val_length_error << "\n";
  EXPECT_LT(s.val_reconstruction, d.val_reconstruction);
  // The dense model learns something too, and samples from its training latents' spread.
  EXPECT_LT(d.train_reconstruction, dense.history().front().train_reconstruction);
  EXPECT_FALSE(torch::equal(dense.model().net().latent_std(), torch::ones({8})));
}

TEST(Ml2Trainer, TheSameSeedGivesTheSameWeights) {
  const auto data = sine_paths(12, 3);
  Ml2Trainer a(tiny_settings("sequence", 2), kTrainerDim, torch::kCPU);
  Ml2Trainer b(tiny_settings("sequence", 2), kTrainerDim, torch::kCPU);
  a.train(data, index_range(0, 10), index_range(10, 12));
  b.train(data, index_range(0, 10), index_range(10, 12));
  expect_same_weights(a.model(), b.model(), 0.0);
  EXPECT_EQ(a.history().back().val_reconstruction, b.history().back().val_reconstruction);
}

TEST(Ml2Trainer, ResumingFromAnEpochCheckpointGivesTheUninterruptedWeights) {
  for (const std::string preset : {"sequence", "dense"}) {
    const auto data = sine_paths(12, 4);
    Ml2Trainer full(tiny_settings(preset, 3), kTrainerDim, torch::kCPU);
    std::string after_first;
    Ml2TrainerCallbacks keep_first;
    keep_first.epoch_end = [&](const Ml2EpochRecord& r, const std::string& bytes) {
      if (r.epoch == 1) after_first = bytes;
    };
    full.train(data, index_range(0, 10), index_range(10, 12), keep_first);
    ASSERT_FALSE(after_first.empty());
    auto resumed = Ml2Trainer::resume(after_first, torch::kCPU);
    EXPECT_EQ(resumed.epochs_done(), 1);
    resumed.train(data, index_range(0, 10), index_range(10, 12));
    expect_same_weights(full.model(), resumed.model(), 1e-6);
    ASSERT_EQ(resumed.history().size(), 3u);
    EXPECT_NEAR(resumed.history()[2].train_total, full.history()[2].train_total, 1e-6) << preset;
  }
}

TEST(Ml2Trainer, StopFlagEndsMidEpochAndResumingGivesTheUninterruptedWeights) {
  const auto data = sine_paths(12, 5);
  Ml2Trainer full(tiny_settings("sequence", 2), kTrainerDim, torch::kCPU);
  full.train(data, index_range(0, 10), index_range(10, 12));

  std::atomic<bool> stop{false};
  Ml2Trainer first(tiny_settings("sequence", 2), kTrainerDim, torch::kCPU);
  Ml2TrainerCallbacks cb;
  int64_t batches = 0;
  cb.progress = [&](const Ml2TrainProgress& p) {
    ++batches;
    EXPECT_EQ(p.n_batches, 2);  // 10 songs in batches of 8
    if (p.epoch == 2 && p.batch == 1) stop = true;
  };
  const auto result = first.train(data, index_range(0, 10), index_range(10, 12), cb, &stop);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.epochs_done, 1);
  EXPECT_EQ(batches, 3);

  auto resumed = Ml2Trainer::resume(first.checkpoint(), torch::kCPU);
  EXPECT_FALSE(resumed.train(data, index_range(0, 10), index_range(10, 12)).stopped);
  expect_same_weights(full.model(), resumed.model(), 1e-6);
  EXPECT_NEAR(resumed.history()[1].train_reconstruction, full.history()[1].train_reconstruction, 1e-6);
}

TEST(Ml2Trainer, RefusesForeignOrUnfitData) {
  const auto data = sine_paths(12, 6);
  Ml2Trainer trainer(tiny_settings("sequence", 1), kTrainerDim, torch::kCPU);
  EXPECT_THROW(trainer.train(data, {}, {}), DatasetError);
  EXPECT_THROW(trainer.train(data, {0, 12}, {}), DatasetError);
  auto long_song = data;
  long_song.orders[3] = torch::zeros({25, kTrainerDim});
  EXPECT_THROW(trainer.train(long_song, index_range(0, 10), {}), DatasetError);
  trainer.train(data, index_range(0, 10), {});
  auto other_version = data;
  other_version.ml1_version = "ml1-retrained";
  trainer.set_epochs(2);
  EXPECT_THROW(trainer.train(other_version, index_range(0, 10), {}), DatasetError);
  const auto r = trainer.history().at(0);
  EXPECT_TRUE(std::isnan(r.val_reconstruction));
  const auto back = Ml2EpochRecord::from_json(nlohmann::json::parse(r.to_json_line()));
  EXPECT_DOUBLE_EQ(back.train_total, r.train_total);
  EXPECT_TRUE(std::isnan(back.val_length_error));
}

TEST(Ml2Trainer, TrainsOnSongsOfOneStep) {
  auto data = sine_paths(6, 7, 1, 1);
  Ml2Trainer trainer(tiny_settings("sequence", 3), kTrainerDim, torch::kCPU);
  trainer.train(data, index_range(0, 6), index_range(0, 6));
  EXPECT_TRUE(std::isfinite(trainer.history().back().train_total));
  EXPECT_EQ(trainer.history().back().val_length_error, 0.0);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  for (const auto& o : trainer.model().sample(4, gen, 1, 24)) EXPECT_EQ(o.size(0), 1);
}

}  // namespace mh::model
