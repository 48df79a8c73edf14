// `metahuman agent new --describe-settings / --print-settings`: what an agent would start with,
// without making one.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/agent_settings.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {

std::string agent_new_cli() { return test::cli_path().string(); }

TEST(AgentNewSettings, DescribeSettingsPrintsEveryAgentSetting) {
  const auto r = test::run_command(agent_new_cli() + " agent new --describe-settings");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, agent::describe_agent_settings());
  EXPECT_NE(r.output.find("[ml2]\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("griffin_lim_iterations = 32  # "), std::string::npos) << r.output;
}

TEST(AgentNewSettings, PrintSettingsPrintsTheAgentTomlThatWouldBeWritten) {
  test::TempDir dir;
  write_file_atomic(dir / "mine.toml", "preset = '0.25_16'\n[ml1]\nepochs = 3\n");
  const auto r = test::run_command(agent_new_cli() + " agent new --print-settings --name Ada --settings " +
                                   (dir / "mine.toml").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto expected = agent::parse_agent_settings("preset = '0.25_16'\n[ml1]\nepochs = 3\n", "mine.toml");
  expected.name = "Ada";
  EXPECT_EQ(r.output, agent::to_toml_text(expected));
  EXPECT_NE(r.output.find("name = 'Ada'"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "agent.toml"));
}

TEST(AgentNewSettings, BadSettingsNameTheKeyAndMakingAnAgentStillNeedsItsFolders) {
  test::TempDir dir;
  write_file_atomic(dir / "bad.toml", "[ml1]\nlatent_dim = 0\n");
  const auto bad =
      test::run_command(agent_new_cli() + " agent new --print-settings --settings " + (dir / "bad.toml").string());
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("ml1.latent_dim = 0 is out of range"), std::string::npos) << bad.output;
  const auto usage = test::run_command(agent_new_cli() + " agent new --name Ada");
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
}

}  // namespace
}  // namespace mh
