// Edits of agent.toml's [ml1] and [ml2] after the first training: a continued run takes the
// learning rate, batch size and epochs, and the rest is named as kept from the checkpoint.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "agent/agent.hpp"
#include "agent/edited_settings.hpp"
#include "agent_test_util.hpp"
#include "core/files.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/ml2_checkpoint.hpp"

namespace mh {
namespace {

namespace fs = std::filesystem;
using test::TinyAgents;

/// A copy of a prepared agent whose agent.toml was edited by `edit`, opened.
template <class Edit>
agent::Agent edited_copy(const fs::path& prepared, const test::TempDir& dir, Edit&& edit) {
  test::copy_agent(prepared, dir / "a");
  auto s = agent::load_agent_settings(dir / "a" / "agent.toml");
  edit(s);
  agent::save_agent_settings(dir / "a" / "agent.toml", s);
  return agent::Agent::open(dir / "a");
}

std::vector<std::string> keys_of(const std::vector<agent::EditedSetting>& edits) {
  std::vector<std::string> keys;
  for (const auto& e : edits) keys.push_back(e.key);
  return keys;
}

TEST(EditedSettings, OnlyLearningRateBatchSizeAndEpochsApplyToAContinuedRun) {
  const auto saved = test::tiny_agent_settings().ml1;
  auto in_file = saved;
  in_file.learning_rate = 1e-3;
  in_file.batch_size = 8;
  in_file.epochs = 3;
  in_file.latent_dim = 16;
  in_file.seed = 7;
  const auto edits = agent::edited_settings(saved, in_file);
  ASSERT_EQ(keys_of(edits), (std::vector<std::string>{"latent_dim", "learning_rate", "batch_size", "epochs"}));
  for (const auto& e : edits) EXPECT_EQ(e.applies, e.key != "latent_dim") << e.key;
  EXPECT_EQ(edits[0].in_file, "16");
  EXPECT_EQ(edits[0].saved, "8");
}

TEST(EditedSettings, AnUneditedAgentHasNoneAndNoLine) {
  auto a = agent::Agent::open(TinyAgents::get().ml2());
  for (const auto stage : {agent::TrainStage::kMl1, agent::TrainStage::kMl2}) {
    const auto edits = agent::edited_settings(a, stage);
    EXPECT_TRUE(edits.empty()) << fmt::format("{}", fmt::join(keys_of(edits), ", "));
    EXPECT_EQ(agent::unused_edits_line(a, stage, edits), "");
  }
}

TEST(EditedSettings, ALayerKeyIsNamedWithTheValueUsedOnOneLine) {
  test::TempDir dir;
  auto a = edited_copy(TinyAgents::get().ml2(), dir, [](agent::AgentSettings& s) {
    s.ml1.latent_dim = 16;
    s.ml1.preset = "seed";
    s.ml1.learning_rate = 1e-3;
    s.ml2.hidden = 32;
  });
  const auto line = agent::unused_edits_line(a, agent::TrainStage::kMl1, agent::edited_settings(a, agent::TrainStage::kMl1));
  EXPECT_NE(line.find("preset = \"seed\", latent_dim = 16 are not used by ml1.ckpt, which keeps preset = \"fast\", "
                      "latent_dim = 8"), std::string::npos) << line;
  EXPECT_EQ(line.find("learning_rate"), line.find("learning_rate, batch_size and epochs")) << line;
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 0) << line;
  const auto ml2 = agent::unused_edits_line(a, agent::TrainStage::kMl2, agent::edited_settings(a, agent::TrainStage::kMl2));
  EXPECT_NE(ml2.find("[ml2] hidden = 32 is not used by ml2.ckpt, which keeps hidden = 16"), std::string::npos) << ml2;
}

TEST(EditedSettings, ResumedMl1TakesTheEditedLearningRateBatchSizeAndEpochsAndKeepsItsLayers) {
  test::TempDir dir;
  auto a = edited_copy(TinyAgents::get().ml1(), dir, [](agent::AgentSettings& s) {
    s.ml1.learning_rate = 1e-3;
    s.ml1.batch_size = 8;
    s.ml1.epochs = 2;
    s.ml1.latent_dim = 16;
  });
  agent::TrainOptions resume;
  resume.resume = true;
  EXPECT_EQ(a.train_ml1(resume).epochs_done, 2);
  const auto saved = model::load_ml1_checkpoint(read_file(a.ml1_path()), torch::kCPU).settings;
  EXPECT_DOUBLE_EQ(saved.learning_rate, 1e-3);
  EXPECT_EQ(saved.batch_size, 8);
  EXPECT_EQ(saved.latent_dim, 8);
  EXPECT_EQ(keys_of(agent::edited_settings(a, agent::TrainStage::kMl1)), std::vector<std::string>{"latent_dim"});
}

TEST(EditedSettings, ContinuedMl2TakesTheEditedLearningRateAndBatchSize) {
  test::TempDir dir;
  auto a = edited_copy(TinyAgents::get().ml2(), dir, [](agent::AgentSettings& s) {
    s.ml2.learning_rate = 5e-4;
    s.ml2.batch_size = 3;
    s.ml2.hidden = 32;
  });
  agent::TrainOptions more;
  more.continue_training = true;
  more.epochs = 1;
  EXPECT_EQ(a.train_ml2(more).epochs_done, 3);
  const auto loaded = model::load_ml2_checkpoint(read_file(a.ml2_path()), torch::kCPU);
  EXPECT_DOUBLE_EQ(loaded.model.settings().learning_rate, 5e-4);
  EXPECT_EQ(loaded.model.settings().batch_size, 3);
  EXPECT_EQ(loaded.model.settings().hidden, 16);
  for (const auto& group : loaded.optimizer->param_groups()) {
    EXPECT_DOUBLE_EQ(static_cast<const torch::optim::AdamOptions&>(group.options()).lr(), 5e-4);
  }
}

TEST(EditedSettings, AFreshMl2FitsTheOrdersOfTheSavedMl1WhenLatentDimWasEdited) {
  test::TempDir dir;
  auto a = edited_copy(TinyAgents::get().ml1(), dir, [](agent::AgentSettings& s) { s.ml1.latent_dim = 16; });
  EXPECT_NO_THROW(a.train_ml2({}));
  EXPECT_TRUE(a.ml2_is_current());
}

}  // namespace
}  // namespace mh
