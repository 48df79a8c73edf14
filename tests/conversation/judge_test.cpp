#include <gtest/gtest.h>

#include "agent/agent.hpp"
#include "agent/agent_test_util.hpp"
#include "conversation/judge.hpp"
#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {

constexpr int kLatent = 8;  // tiny_agent_settings(): ml1.latent_dim

/// A private copy of the tiny agent with ML1 trained, so a test may retrain it.
struct TrainedAgent {
  test::TempDir dir;
  std::filesystem::path path() const { return dir / "agent"; }
  TrainedAgent() { test::copy_agent(test::TinyAgents::get().ml1(), path()); }
};

bool same(const torch::Tensor& a, const torch::Tensor& b) { return a.sizes() == b.sizes() && torch::equal(a, b); }

TEST(Judge, HoldsTheReferenceAndItsEmbeddingInTheDocumentedShapes) {
  TrainedAgent t;
  const auto agent = agent::Agent::open(t.path());
  const auto judge = Judge::create(agent, 4, 1);
  const auto& mel = judge.reference_mel();
  ASSERT_EQ(mel.dim(), 3);
  EXPECT_EQ(mel.size(0), 4);
  EXPECT_EQ(mel.size(1), 128);
  EXPECT_EQ(mel.size(2), 16);
  EXPECT_EQ(judge.reference_embedding().sizes(), (std::vector<int64_t>{4, kLatent}));
  EXPECT_EQ(judge.reference_embedding().scalar_type(), torch::kFloat64);
  EXPECT_EQ(judge.meta()["reference_items"].size(), 4u);
  EXPECT_EQ(judge.project(judge.reference_embedding()).sizes(), (std::vector<int64_t>{4, 2}));
  EXPECT_GT(judge.reference_error0(), 0.0);
  EXPECT_TRUE(std::isfinite(judge.reference_error0()));
}

TEST(Judge, TheMapIsAPrincipalComponentProjectionCentredOnTheReference) {
  TrainedAgent t;
  const auto judge = Judge::create(agent::Agent::open(t.path()), 1000, 1);
  const auto emb = judge.reference_embedding();
  const auto xy = judge.project(emb);
  // Centred on the reference: the mean embedding lands on the origin, the points average to it.
  EXPECT_LE(judge.project(emb.mean(0, true)).abs().max().item<double>(), 1e-9);
  EXPECT_LE(xy.mean(0).abs().max().item<double>(), 1e-9);
  // The two axes are the largest-variance directions: their variances, as fractions of the total,
  // are the explained variances, the first at least the second.
  const auto& explained = judge.explained_variance();
  ASSERT_EQ(explained.size(), 2u);
  EXPECT_GE(explained[0], explained[1]);
  EXPECT_LE(explained[0] + explained[1], 1.0 + 1e-9);
  const double total = emb.var(0).sum().item<double>();
  EXPECT_NEAR(xy.select(1, 0).var().item<double>() / total, explained[0], 1e-6);
  EXPECT_NEAR(xy.select(1, 1).var().item<double>() / total, explained[1], 1e-6);
  // Moving along one principal axis by d moves the map point by exactly d on that axis alone.
  const auto axes = judge.project(emb.mean(0, true) + torch::eye(kLatent, torch::kFloat64)) -
                    judge.project(emb.mean(0, true));  // [D, 2]: the axes' coordinates
  EXPECT_NEAR(axes.select(1, 0).norm().item<double>(), 1.0, 1e-9);
  EXPECT_NEAR(axes.select(1, 1).norm().item<double>(), 1.0, 1e-9);
  EXPECT_NEAR(axes.select(1, 0).dot(axes.select(1, 1)).item<double>(), 0.0, 1e-9);
}

TEST(Judge, TheSameSeedDrawsTheSameReferenceAndAnotherSeedAnother) {
  TrainedAgent t;
  const auto agent = agent::Agent::open(t.path());
  const auto a = Judge::create(agent, 4, 11);
  const auto b = Judge::create(agent, 4, 11);
  EXPECT_EQ(a.meta(), b.meta());
  EXPECT_TRUE(same(a.reference_embedding(), b.reference_embedding()));
  bool differs = false;
  for (std::uint64_t seed = 12; seed < 20 && !differs; ++seed) {
    differs = Judge::create(agent, 4, seed).meta()["reference_items"] != a.meta()["reference_items"];
  }
  EXPECT_TRUE(differs) << "eight other seeds all drew the same reference items";
}

TEST(Judge, EmbeddingIsDeterministicAndIdenticalSnippetsEmbedIdentically) {
  TrainedAgent t;
  const auto judge = Judge::create(agent::Agent::open(t.path()), 8, 1);
  EXPECT_TRUE(same(judge.embed(judge.reference_mel()), judge.reference_embedding()));
  // Silence (the floor of the normalised scale) three times over: one point, three times.
  const auto silent = judge.embed(torch::zeros({3, 128, 16}));
  ASSERT_EQ(silent.sizes(), (std::vector<int64_t>{3, kLatent}));
  EXPECT_TRUE(torch::isfinite(silent).all().item<bool>());
  EXPECT_TRUE(same(silent[0], silent[1]));
  EXPECT_TRUE(same(silent[0], silent[2]));
  // Batches of 32 must not change a snippet's embedding: 40 snippets span two batches.
  const auto many = judge.reference_mel().repeat({5, 1, 1});
  const auto emb = judge.embed(many);
  ASSERT_EQ(emb.size(0), many.size(0));
  EXPECT_LE((emb.narrow(0, 32, 8) - judge.reference_embedding()).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(judge.embed(torch::zeros({0, 128, 16})).sizes(), (std::vector<int64_t>{0, kLatent}));
}

TEST(Judge, StaysFrozenWhileTheAgentRetrainsAndRestoresExactly) {
  TrainedAgent t;
  auto agent = agent::Agent::open(t.path());
  const auto judge = Judge::create(agent, 8, 3);
  const auto before = judge.embed(judge.reference_mel());
  agent::TrainOptions more;
  more.epochs = 1;
  more.seed = 99;
  agent.train_ml1(more);
  const auto reopened = agent::Agent::open(t.path());
  // The agent moved on: a judge made now would see the reference differently...
  const auto fresh = Judge::create(reopened, 8, 3);
  EXPECT_FALSE(same(fresh.reference_embedding(), before)) << "retraining did not change ML1";
  // ...but the frozen one did not.
  EXPECT_TRUE(same(judge.embed(judge.reference_mel()), before));
  const auto restored = Judge::restore(reopened, judge.ml1_bytes(), judge.meta(), "judge");
  EXPECT_TRUE(same(restored.reference_embedding(), before));
  EXPECT_TRUE(same(restored.project(before), judge.project(before)));
  EXPECT_EQ(restored.meta(), judge.meta());
}

TEST(Judge, ErrorZeroIsTheFrozenModelsReconstructionErrorOfTheReference) {
  TrainedAgent t;
  const auto agent = agent::Agent::open(t.path());
  const auto judge = Judge::create(agent, 8, 5);
  auto ml1 = agent.ml1();
  EXPECT_NEAR(reconstruction_error(ml1, judge.reference_mel(), torch::kCPU), judge.reference_error0(),
              1e-6 * judge.reference_error0());
  EXPECT_EQ(reconstruction_error(ml1, torch::zeros({0, 128, 16}), torch::kCPU), 0.0);
}

TEST(Judge, RefusesADamagedDescriptionAndAnAgentWithoutMl1) {
  TrainedAgent t;
  const auto agent = agent::Agent::open(t.path());
  const auto judge = Judge::create(agent, 8, 5);
  auto meta = judge.meta();
  meta["map_axes"] = nlohmann::json::array({meta["map_axes"][0]});  // one axis of two
  EXPECT_THROW(Judge::restore(agent, judge.ml1_bytes(), meta, "judge"), DatasetError);
  meta = judge.meta();
  meta.erase("error0");
  EXPECT_THROW(Judge::restore(agent, judge.ml1_bytes(), meta, "judge"), DatasetError);
  EXPECT_THROW(Judge::restore(agent, "not a checkpoint", judge.meta(), "judge"), CheckpointError);

  test::TempDir untrained;
  test::copy_agent(test::TinyAgents::get().ingested(), untrained / "agent");
  EXPECT_THROW(Judge::create(agent::Agent::open(untrained / "agent"), 8, 5), CheckpointError);
}

}  // namespace
}  // namespace mh::conversation
