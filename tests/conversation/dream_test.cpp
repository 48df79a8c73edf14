// A dream's ML2: fine-tuned by default, a fresh one trained as long as the agent's first, and
// the new ML2's validation figure and motion reported.
#include <gtest/gtest.h>

#include <cmath>

#include "conversation/dream.hpp"
#include "conversation_test_util.hpp"
#include "core/files.hpp"
#include "model/ml2_checkpoint.hpp"

namespace mh::conversation {
namespace {

using namespace test_util;

int64_t ml2_epochs_done(const agent::Agent& a) {
  return model::load_ml2_checkpoint(read_file(a.ml2_path()), torch::kCPU).state.epochs_done;
}

DreamReport dream_once(agent::Agent& a, const RoleSettings& role, const fs::path& dir) {
  const auto plan = plan_dream(a, role, static_cast<int64_t>(a.dataset().manifest().songs().size()), 3);
  const auto report = run_dream(a, plan, dir / "dreams", "a_001", {});
  if (!report) throw std::runtime_error("the dream was stopped");
  return *report;
}

TEST(Dream, FineTunesMl2ByDefaultAndReportsItsValidationAndMotion) {
  Trial run;
  auto a = agent::Agent::open(run.agent_a());
  const auto before = ml2_epochs_done(a);
  RoleSettings role;
  role.dream_ml1_epochs = 1;
  role.dream_ml2_epochs = 1;
  EXPECT_EQ(role.dream_ml2_start, Ml2DreamStart::kFineTune);
  const auto report = dream_once(a, role, run.dir.path());
  EXPECT_EQ(report.ml2, "fine-tune");
  EXPECT_EQ(ml2_epochs_done(a), before + 1);
  EXPECT_TRUE(std::isfinite(report.ml2_val));
  ASSERT_TRUE(report.ml2_motion.is_object());
  EXPECT_EQ(report.ml2_motion["machine"]["songs"], kDreamMotionSongs);
  EXPECT_TRUE(report.ml2_motion["ratio"]["step"].is_number()) << report.ml2_motion.dump();
}

TEST(Dream, AFreshMl2TrainsAsManyEpochsAsTheAgentsFirstUnlessToldOtherwise) {
  Trial run;
  auto a = agent::Agent::open(run.agent_a());
  RoleSettings role;
  role.dream_ml1_epochs = 1;
  role.dream_ml2_epochs = 1;
  role.dream_ml2_start = Ml2DreamStart::kFresh;
  auto report = dream_once(a, role, run.dir.path());
  EXPECT_EQ(report.ml2, "fresh");
  EXPECT_EQ(ml2_epochs_done(a), a.settings().ml2.epochs);
  role.dream_ml2_fresh_epochs = 3;
  Trial again;
  auto b = agent::Agent::open(again.agent_a());
  report = dream_once(b, role, again.dir.path());
  EXPECT_EQ(ml2_epochs_done(b), 3);
}

}  // namespace
}  // namespace mh::conversation
