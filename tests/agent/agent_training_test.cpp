#include <gtest/gtest.h>

#include <fstream>

#include "agent/agent.hpp"
#include "agent/train_set.hpp"
#include "agent_test_util.hpp"
#include "core/errors.hpp"

namespace mh {
namespace {

namespace fs = std::filesystem;
using test::TinyAgents;

int64_t lines_of(const fs::path& path) {
  std::ifstream f(path);
  int64_t n = 0;
  for (std::string line; std::getline(f, line);) n += line.empty() ? 0 : 1;
  return n;
}

bool same_parameters(torch::nn::Module& a, torch::nn::Module& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  if (pa.size() != pb.size()) return false;
  for (const auto& p : pa) {
    if (!torch::equal(p.value().cpu(), pb[p.key()].cpu())) return false;
  }
  return true;
}

agent::Agent copy_of(const fs::path& prepared, const test::TempDir& dir, const std::string& name = "a") {
  test::copy_agent(prepared, dir / name);
  return agent::Agent::open(dir / name);
}

TEST(TrainMl2, WritesItsCheckpointAndHistoryAndRecordsTheMl1VersionOfItsOrders) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ml1(), dir);
  EXPECT_FALSE(a.has_ml2());
  EXPECT_EQ(a.ml2_version(), "");
  std::vector<model::Ml2EpochRecord> records;
  agent::TrainOptions options;
  options.ml2_epoch_end = [&](const model::Ml2EpochRecord& r) { records.push_back(r); };
  const auto outcome = a.train_ml2(options);
  EXPECT_FALSE(outcome.stopped);
  EXPECT_EQ(outcome.epochs_done, 2);
  EXPECT_EQ(records.size(), 2u);
  EXPECT_TRUE(std::isfinite(outcome.val_reconstruction));  // the tiny corpus has a validation song
  ASSERT_TRUE(a.has_ml2());
  EXPECT_EQ(a.ml2_version().size(), 16u);
  EXPECT_EQ(lines_of(dir / "a" / "ml2_history.jsonl"), 2);
  EXPECT_EQ(a.ml2().ml1_version(), a.ml1_version());
  EXPECT_TRUE(a.ml2_is_current());
  // A fresh run starts a new history instead of appending to the old run's.
  a.train_ml2(options);
  EXPECT_EQ(records.size(), 4u);
  EXPECT_EQ(lines_of(dir / "a" / "ml2_history.jsonl"), 2);
}

TEST(TrainMl2, StoppedMidEpochThenResumedGivesTheWeightsOfAnUninterruptedRun) {
  test::TempDir dir;
  auto whole = copy_of(TinyAgents::get().ml1(), dir, "whole");
  whole.train_ml2({});
  auto parts = copy_of(TinyAgents::get().ml1(), dir, "parts");
  std::atomic<bool> stop{false};
  agent::TrainOptions first;
  first.stop = &stop;
  first.ml2_progress = [&](const model::Ml2TrainProgress& p) {
    if (p.epoch == 2 && p.batch == 1) stop = true;
  };
  const auto stopped = parts.train_ml2(first);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.epochs_done, 1);
  agent::TrainOptions again;
  again.resume = true;
  const auto resumed = parts.train_ml2(again);
  EXPECT_FALSE(resumed.stopped);
  EXPECT_EQ(resumed.epochs_done, 2);
  EXPECT_TRUE(same_parameters(parts.ml2().net(), whole.ml2().net()));
}

TEST(TrainMl2, ResumingAfterMl1ChangedIsRefusedButContinuingAdoptsTheNewOrders) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ml2(), dir);
  agent::TrainOptions retrain;
  retrain.seed = 9;
  a.train_ml1(retrain);
  EXPECT_FALSE(a.ml2_is_current());
  agent::TrainOptions resume;
  resume.resume = true;
  EXPECT_THROW(a.train_ml2(resume), DatasetError);
  agent::TrainOptions more;
  more.continue_training = true;
  more.epochs = 1;
  EXPECT_EQ(a.train_ml2(more).epochs_done, 3);
  EXPECT_EQ(a.ml2().ml1_version(), a.ml1_version());
  EXPECT_TRUE(a.ml2_is_current());
}

TEST(ContinueTraining, RunsThatManyMoreEpochsOfMl1AndMl2) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ml2(), dir);
  agent::TrainOptions more;
  more.continue_training = true;
  more.epochs = 2;
  EXPECT_EQ(a.train_ml1(more).epochs_done, 3);
  EXPECT_EQ(lines_of(dir / "a" / "ml1_history.jsonl"), 3);
  more.epochs = 1;
  EXPECT_EQ(a.train_ml2(more).epochs_done, 3);
  EXPECT_EQ(lines_of(dir / "a" / "ml2_history.jsonl"), 3);
}

TEST(ContinueTraining, FinishesAnInterruptedEpochOnItsOwnSetBeforeTheNewOnes) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ingested(), dir);
  const auto all_train = a.dataset().ids(corpus::Split::kTrain);
  ASSERT_GT(all_train.size(), 32u);  // several batches of 16
  std::atomic<bool> stop{false};
  agent::TrainOptions first;
  first.stop = &stop;
  first.progress = [&](const model::TrainProgress& p) {
    if (p.batch == 1) stop = true;
  };
  const auto stopped = a.train_ml1(first);
  ASSERT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.epochs_done, 0);

  std::vector<std::pair<int64_t, int64_t>> epochs_and_batches;  // (epoch, n_batches)
  agent::TrainOptions more;
  more.continue_training = true;
  more.epochs = 1;
  more.train_items = std::vector<int64_t>(all_train.begin(), all_train.begin() + 10);
  more.progress = [&](const model::TrainProgress& p) { epochs_and_batches.emplace_back(p.epoch, p.n_batches); };
  const auto outcome = a.train_ml1(more);
  EXPECT_FALSE(outcome.stopped);
  EXPECT_EQ(outcome.epochs_done, 2);
  ASSERT_FALSE(epochs_and_batches.empty());
  // Epoch 1 goes on over the whole training split, epoch 2 covers the ten items in one batch.
  EXPECT_EQ(epochs_and_batches.front(), std::make_pair(int64_t{1}, static_cast<int64_t>((all_train.size() + 15) / 16)));
  EXPECT_EQ(epochs_and_batches.back(), std::make_pair(int64_t{2}, int64_t{1}));
  EXPECT_EQ(*agent::load_train_set(dir / "a" / "ml1_train_set.json"), *more.train_items);
}

TEST(TrainItems, RestrictMl1ToTheGivenItemsAndOutOfRangeIdsAreRefused) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ingested(), dir);
  const auto all_train = a.dataset().ids(corpus::Split::kTrain);
  agent::TrainOptions options;
  options.train_items = std::vector<int64_t>(all_train.end() - 5, all_train.end());
  int64_t max_batches = 0;
  options.progress = [&](const model::TrainProgress& p) { max_batches = std::max(max_batches, p.n_batches); };
  EXPECT_EQ(a.train_ml1(options).epochs_done, 1);
  EXPECT_EQ(max_batches, 1);
  EXPECT_EQ(*agent::load_train_set(dir / "a" / "ml1_train_set.json"), *options.train_items);
  options.train_items = std::vector<int64_t>{a.dataset().size()};
  EXPECT_THROW(a.train_ml1(options), DatasetError);
  options.train_items = std::vector<int64_t>{};
  EXPECT_THROW(a.train_ml1(options), DatasetError);
}

TEST(TrainSongs, RestrictMl2ToTheGivenSongsAndOutOfRangeIdsAreRefused) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ml1(), dir);
  agent::TrainOptions options;
  options.train_songs = std::vector<int64_t>{0};
  int64_t max_batches = 0;
  options.ml2_progress = [&](const model::Ml2TrainProgress& p) { max_batches = std::max(max_batches, p.n_batches); };
  a.train_ml2(options);
  EXPECT_EQ(max_batches, 1);
  // Statistics come from the training songs alone: one song gives one length.
  const auto stats = a.ml2().net().stats();
  EXPECT_EQ(stats.min_length, a.dataset().manifest().song(0).n_snippets());
  EXPECT_EQ(stats.max_length, stats.min_length);
  options.train_songs = std::vector<int64_t>{-1};
  EXPECT_THROW(a.train_ml2(options), DatasetError);
}

TEST(Train, TheStageCallTrainsAsTheModelsOwnCallsDo) {
  test::TempDir dir;
  auto by_stage = copy_of(TinyAgents::get().ml1(), dir, "by_stage");
  auto by_name = copy_of(TinyAgents::get().ml1(), dir, "by_name");
  agent::TrainOptions one;
  one.epochs = 1;
  one.seed = 5;
  EXPECT_EQ(by_stage.train(agent::TrainStage::kMl1, one).epochs_done, 1);
  EXPECT_EQ(by_name.train_ml1(one).epochs_done, 1);
  auto ml1_a = by_stage.ml1(), ml1_b = by_name.ml1();
  EXPECT_TRUE(same_parameters(*ml1_a, *ml1_b));
  EXPECT_EQ(by_stage.train(agent::TrainStage::kMl2, one).epochs_done, 1);
  EXPECT_EQ(by_name.train_ml2(one).epochs_done, 1);
  auto ml2_a = by_stage.ml2(), ml2_b = by_name.ml2();
  EXPECT_TRUE(same_parameters(ml2_a.net(), ml2_b.net()));
  EXPECT_EQ(lines_of(dir / "by_stage" / "ml1_history.jsonl"), 1);
  EXPECT_EQ(lines_of(dir / "by_stage" / "ml2_history.jsonl"), 1);
}

TEST(TrainOptions, ResumeAndContinueTogetherAreRefused) {
  test::TempDir dir;
  auto a = copy_of(TinyAgents::get().ml2(), dir);
  agent::TrainOptions both;
  both.resume = true;
  both.continue_training = true;
  EXPECT_THROW(a.train_ml1(both), SettingsError);
  EXPECT_THROW(a.train_ml2(both), SettingsError);
}

TEST(Ml2Checkpoint, ACorruptOneIsRefusedNamingTheFile) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml2(), dir / "a");
  test::flip_byte(dir / "a" / "ml2.ckpt");
  auto a = agent::Agent::open(dir / "a");
  try {
    a.ml2();
    FAIL() << "a corrupt ml2.ckpt was accepted";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("ml2.ckpt"), std::string::npos) << e.what();
  }
  agent::TrainOptions resume;
  resume.resume = true;
  EXPECT_THROW(a.train_ml2(resume), CheckpointError);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  EXPECT_THROW(a.compose(1, 0, gen), CheckpointError);
}

}  // namespace
}  // namespace mh
