#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/errors.hpp"
#include "model/ml1_trainer.hpp"

namespace mh::model {

namespace {

ConvVaeOptions tiny_options() {
  auto o = ConvVaeOptions::fast(32, 16);
  o.filters = {4, 8, 8};
  o.kernels = {{3, 3}, {3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}, {2, 1}};
  o.latent_dim = 8;
  return o;
}

Ml1Settings tiny_settings(int epochs) {
  Ml1Settings s;
  s.batch_size = 4;
  s.epochs = epochs;
  s.learning_rate = 5e-3;
  s.lr_decay_epochs = epochs;
  s.seed = 11;
  return s;
}

// Spectrogram-like snippets: a few horizontal harmonic bands with a decay over time, in [0, 1].
torch::Tensor synthetic_snippets(int64_t n) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(123);
  const auto mel = torch::arange(32, torch::kFloat32).view({1, 32, 1});
  const auto t = torch::arange(16, torch::kFloat32).view({1, 1, 16});
  const auto f0 = torch::rand({n, 1, 1}, gen) * 8 + 2;
  const auto decay = torch::rand({n, 1, 1}, gen) * 0.15;
  auto bands = torch::zeros({n, 32, 1});
  for (int h = 1; h <= 3; ++h) bands = bands + torch::exp(-(mel - f0 * h).pow(2) / 2.0) / h;
  const auto x = 0.15 + 0.8 * bands.clamp_max(1.0) * torch::exp(-decay * t);
  return x.unsqueeze(1).contiguous();
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

void expect_same_weights(ConvVae& a, ConvVae& b, double tol) {
  const auto pa = a->named_parameters();
  const auto pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& p : pa) {
    EXPECT_TRUE(torch::allclose(p.value(), pb[p.key()], tol, tol)) << p.key();
  }
  for (const auto& buf : a->named_buffers()) {
    EXPECT_TRUE(torch::allclose(buf.value().to(torch::kDouble), b->named_buffers()[buf.key()].to(torch::kDouble), tol, tol))
        << buf.key();
  }
}

/// Records the indices of every batch the trainer asks for (validation and calibration too).
class RecordingSource : public SnippetSource {
 public:
  explicit RecordingSource(torch::Tensor snippets) : data_(std::move(snippets)) {}
  int64_t size() const override { return data_.size(); }
  torch::Tensor batch(const std::vector<int64_t>& indices) const override {
    batches.push_back(indices);
    return data_.batch(indices);
  }
  mutable std::vector<std::vector<int64_t>> batches;

 private:
  InMemorySnippetSource data_;
};

}  // namespace

TEST(Ml1Trainer, StrataKeepTheirShareInEveryBatch) {
  RecordingSource data(synthetic_snippets(40));
  auto s = tiny_settings(2);
  s.batch_size = 8;
  Ml1Trainer trainer(s, tiny_options(), torch::kCPU);
  TrainerCallbacks cb;
  cb.strata.assign(40, 0);
  for (int i = 0; i < 10; ++i) cb.strata[static_cast<size_t>(4 * i)] = 1;  // items 0, 4, …, 36
  size_t training_batches = 0;
  cb.progress = [&](const TrainProgress&) {
    // The batch just trained is the last one the source handed out.
    const auto& idx = data.batches.back();
    ASSERT_EQ(idx.size(), 8u);
    int marked = 0;
    for (const auto i : idx) marked += i % 4 == 0;
    EXPECT_EQ(marked, 2) << "batch " << training_batches;
    ++training_batches;
  };
  trainer.train(data, iota(40), {}, cb);
  EXPECT_EQ(training_batches, 10u);
}

TEST(Ml1Trainer, ADeadlineEndsTheEpochAfterOneStepAndRecordsIt) {
  InMemorySnippetSource data(synthetic_snippets(16));
  Ml1Trainer trainer(tiny_settings(5), tiny_options(), torch::kCPU);
  TrainerCallbacks cb;
  cb.deadline = SteadyClock::now();  // already passed: one step, then the epoch ends
  int steps = 0;
  cb.progress = [&](const TrainProgress&) { ++steps; };
  const auto result = trainer.train(data, iota(12), {12, 13}, cb);
  EXPECT_TRUE(result.out_of_time);
  EXPECT_FALSE(result.stopped);
  EXPECT_EQ(steps, 1);
  EXPECT_EQ(result.epochs_done, 1);
  ASSERT_EQ(trainer.history().size(), 1u);
  EXPECT_TRUE(std::isfinite(trainer.history()[0].val_reconstruction));
  // The checkpoint is at an epoch boundary: continuing on another set is allowed.
  auto resumed = Ml1Trainer::resume(trainer.checkpoint(), torch::kCPU);
  EXPECT_NO_THROW(resumed.train(data, iota(16), {}));
}

TEST(Ml1Trainer, TheBatchSizeCanChangeBetweenEpochs) {
  InMemorySnippetSource data(synthetic_snippets(12));
  Ml1Trainer trainer(tiny_settings(1), tiny_options(), torch::kCPU);
  trainer.train(data, iota(12), {});
  trainer.set_batch_size(6);
  trainer.set_epochs(2);
  TrainerCallbacks cb;
  int64_t n_batches = 0;
  cb.progress = [&](const TrainProgress& p) { n_batches = p.n_batches; };
  trainer.train(data, iota(12), {}, cb);
  EXPECT_EQ(n_batches, 2);
  EXPECT_THROW(trainer.set_batch_size(0), SettingsError);
}

TEST(Ml1Trainer, LearnsATinyDatasetOfSyntheticSpectrograms) {
  InMemorySnippetSource data(synthetic_snippets(16));
  Ml1Trainer trainer(tiny_settings(120), tiny_options(), torch::kCPU);
  const double before = trainer.validate(data, iota(16));
  const auto result = trainer.train(data, iota(16), iota(16));
  EXPECT_FALSE(result.stopped);
  ASSERT_EQ(trainer.history().size(), 120u);
  const double after = trainer.history().back().val_reconstruction;
  EXPECT_LT(after, 0.005) << "before " << before << " train " << trainer.history().back().train_reconstruction;
  EXPECT_LT(after, before / 4);
}

// Every song is sung in eval mode: after training, the eval-mode model must reconstruct as well
// as the model does with the batch statistics it trained with, and beat the mean snippet.
TEST(Ml1Trainer, EvalModeReconstructsAsWellAsTrainModeAfterAFewEpochs) {
  InMemorySnippetSource data(synthetic_snippets(32));
  Ml1Trainer trainer(tiny_settings(30), tiny_options(), torch::kCPU);
  trainer.train(data, iota(32), {});
  const auto x = data.batch(iota(32));
  const double eval_mse = trainer.validate(data, iota(32));
  const double mean_snippet = (x - x.mean(0, true)).pow(2).mean().item<double>();
  auto& m = trainer.model();
  torch::NoGradGuard no_grad;
  m->train();
  double train_mse = 0;
  for (int b = 0; b < 8; ++b) {  // the trainer's batches of 4, decoding the means
    const auto xb = x.narrow(0, b * 4, 4);
    train_mse += (xb - m->decode(m->encode(xb))).pow(2).mean().item<double>() / 8;
  }
  EXPECT_LT(eval_mse, mean_snippet);
  // Population statistics may do a little better than the statistics of batches of 4: the
  // requirement is that eval mode is not worse.
  EXPECT_LT(eval_mse, 1.1 * train_mse) << "mean snippet " << mean_snippet;
}

TEST(Ml1Trainer, ValidationFiguresCarryBothBaselines) {
  InMemorySnippetSource data(synthetic_snippets(12));
  Ml1Trainer trainer(tiny_settings(1), tiny_options(), torch::kCPU);
  trainer.train(data, iota(8), {8, 9, 10, 11});
  const auto& r = trainer.history().back();
  const auto x = data.batch({8, 9, 10, 11});
  const double flat = (x - x.mean(3, true)).pow(2).mean().item<double>();
  EXPECT_NEAR(r.val_time_flat, flat, 1e-9);
  const auto mean = data.batch(iota(8)).mean(0, true);
  EXPECT_NEAR(r.val_mean_snippet, (x - mean).pow(2).mean().item<double>(), 1e-7);
  const auto back = EpochRecord::from_json(r.to_json());
  EXPECT_DOUBLE_EQ(back.val_time_flat, r.val_time_flat);
}

TEST(Ml1Trainer, ANonFiniteLossStopsWithOneLineAndLeavesTheWeights) {
  InMemorySnippetSource good(synthetic_snippets(8));
  Ml1Trainer trainer(tiny_settings(1), tiny_options(), torch::kCPU);
  trainer.train(good, iota(8), {});
  std::vector<torch::Tensor> before;
  for (const auto& p : trainer.model()->parameters()) before.push_back(p.detach().clone());
  InMemorySnippetSource bad(torch::full({8, 1, 32, 16}, std::nan(""), torch::kFloat32));
  trainer.set_epochs(2);
  try {
    trainer.train(bad, iota(8), {});
    FAIL() << "no error";
  } catch (const TrainingError& e) {
    EXPECT_NE(std::string(e.what()).find("diverged at epoch 2, batch 1"), std::string::npos) << e.what();
  }
  const auto after = trainer.model()->parameters();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(before[i], after[i]));
}

TEST(Ml1Trainer, SameSeedGivesTheSameWeights) {
  InMemorySnippetSource data(synthetic_snippets(12));
  Ml1Trainer a(tiny_settings(2), tiny_options(), torch::kCPU);
  Ml1Trainer b(tiny_settings(2), tiny_options(), torch::kCPU);
  a.train(data, iota(10), {10, 11});
  b.train(data, iota(10), {10, 11});
  expect_same_weights(a.model(), b.model(), 0.0);
  EXPECT_EQ(a.history().back().val_reconstruction, b.history().back().val_reconstruction);
}

TEST(Ml1Trainer, ResumingFromAnEpochCheckpointGivesTheUninterruptedWeights) {
  InMemorySnippetSource data(synthetic_snippets(12));
  Ml1Trainer full(tiny_settings(3), tiny_options(), torch::kCPU);
  std::string after_first;
  TrainerCallbacks keep_first;
  keep_first.epoch_end = [&](const EpochRecord& r, const std::string& bytes) {
    if (r.epoch == 1) after_first = bytes;
  };
  full.train(data, iota(10), {10, 11}, keep_first);
  ASSERT_FALSE(after_first.empty());

  auto resumed = Ml1Trainer::resume(after_first, torch::kCPU);
  EXPECT_EQ(resumed.epochs_done(), 1);
  resumed.train(data, iota(10), {10, 11});
  expect_same_weights(full.model(), resumed.model(), 1e-6);
  ASSERT_EQ(resumed.history().size(), 3u);
  EXPECT_NEAR(resumed.history()[2].train_total, full.history()[2].train_total, 1e-6 * full.history()[2].train_total);
}

TEST(Ml1Trainer, StopFlagEndsMidEpochAndResumingGivesTheUninterruptedWeights) {
  InMemorySnippetSource data(synthetic_snippets(12));
  Ml1Trainer full(tiny_settings(2), tiny_options(), torch::kCPU);
  full.train(data, iota(10), {10, 11});

  std::atomic<bool> stop{false};
  Ml1Trainer first(tiny_settings(2), tiny_options(), torch::kCPU);
  TrainerCallbacks cb;
  int64_t batches_seen = 0;
  cb.progress = [&](const TrainProgress& p) {
    ++batches_seen;
    EXPECT_EQ(p.n_batches, 3);  // 10 snippets in batches of 4
    if (p.epoch == 2 && p.batch == 1) stop = true;
  };
  const auto result = first.train(data, iota(10), {10, 11}, cb, &stop);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.epochs_done, 1);
  EXPECT_EQ(batches_seen, 4);

  auto resumed = Ml1Trainer::resume(first.checkpoint(), torch::kCPU);
  EXPECT_FALSE(resumed.train(data, iota(10), {10, 11}).stopped);
  expect_same_weights(full.model(), resumed.model(), 1e-6);
  EXPECT_NEAR(resumed.history()[1].train_reconstruction, full.history()[1].train_reconstruction, 1e-7);
}

TEST(Ml1Trainer, ResumingAnInterruptedEpochWithAnotherTrainingSetIsRefused) {
  InMemorySnippetSource data(synthetic_snippets(12));
  std::atomic<bool> stop{false};
  Ml1Trainer first(tiny_settings(2), tiny_options(), torch::kCPU);
  TrainerCallbacks cb;
  cb.progress = [&](const TrainProgress&) { stop = true; };
  first.train(data, iota(10), {}, cb, &stop);
  auto resumed = Ml1Trainer::resume(first.checkpoint(), torch::kCPU);
  EXPECT_THROW(resumed.train(data, iota(12), {}), DatasetError);
}

TEST(Ml1Trainer, HistoryRecordsSerialiseToJsonLines) {
  InMemorySnippetSource data(synthetic_snippets(8));
  Ml1Trainer trainer(tiny_settings(1), tiny_options(), torch::kCPU);
  trainer.train(data, iota(8), {});
  const auto& r = trainer.history().at(0);
  EXPECT_TRUE(std::isnan(r.val_reconstruction));
  EXPECT_GT(r.snippets_per_s, 0.0);
  const auto line = r.to_json_line();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto back = EpochRecord::from_json(nlohmann::json::parse(line));
  EXPECT_EQ(back.epoch, 1);
  EXPECT_DOUBLE_EQ(back.train_total, r.train_total);
  const double w = trainer.settings().reconstruction_weight;
  EXPECT_NEAR(back.train_total, w * back.train_reconstruction + back.train_kl, 1e-6 * back.train_total);
}

TEST(Ml1Trainer, SnippetsOfTheWrongShapeAreAShapeError) {
  InMemorySnippetSource data(torch::rand({4, 1, 32, 8}));
  Ml1Trainer trainer(tiny_settings(1), tiny_options(), torch::kCPU);
  EXPECT_THROW(trainer.train(data, iota(4), {}), ShapeError);
  EXPECT_THROW(trainer.train(data, {}, {}), DatasetError);
  EXPECT_THROW(InMemorySnippetSource(torch::rand({4, 32, 8})), ShapeError);
}

}  // namespace mh::model

namespace mh::model {

TEST(Ml1Trainer, TheLearningRateFallsAlongHalfACosineThenStays) {
  Ml1Settings s;
  s.lr_decay_epochs = 10;
  s.lr_final_fraction = 0.1;
  EXPECT_DOUBLE_EQ(decay_factor(s, 0), 1.0);
  EXPECT_NEAR(decay_factor(s, 5), 0.55, 1e-12);  // halfway: the mean of both ends
  EXPECT_NEAR(decay_factor(s, 10), 0.1, 1e-12);
  EXPECT_NEAR(decay_factor(s, 40), 0.1, 1e-12);  // dreams continue the count at the low rate
  s.lr_decay_epochs = 0;
  EXPECT_DOUBLE_EQ(decay_factor(s, 7), 1.0);
}

}  // namespace mh::model
