// A newcomer's first mistakes: each is one line with the bad-input exit code, and nothing is
// left half-made; edits of [ml1] / [ml2] that a continued run cannot take are named.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "agent/agent_settings.hpp"
#include "audio/write_wav.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"
#include "support/tiny_agent.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

constexpr int kInputExitCode = 4;

std::string mistakes_cli() { return test::cli_path().string(); }

size_t output_lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

/// The names in `dir`, hidden ones included.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// One tiny agent made with `agent new` for the whole suite, and the folders the mistakes use.
class FirstMistakes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    write_file_atomic(*dir_ / "tiny.toml",
                      test::kTinyAgentToml);
    fs::create_directories(*dir_ / "corpus");
    for (int i = 0; i < 5; ++i) {
      const auto t = torch::arange(static_cast<int64_t>((2.0 + 0.25 * i) * 44100), torch::kFloat64) / 44100.0;
      audio::write_wav(*dir_ / "corpus" / ("t" + std::to_string(i) + ".wav"),
                       (0.3 * torch::sin(2 * M_PI * (220.0 + 70.0 * i) * t)).to(torch::kFloat32), 44100);
    }
    made_ = new test::CommandResult(test::run_command(mistakes_cli() + " agent new --agent " + agent() +
                                                      " --name Ada --corpus " + path("corpus") + " --settings " +
                                                      path("tiny.toml")));
  }
  static void TearDownTestSuite() {
    delete made_;
    delete dir_;
    made_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(made_->exit_code, 0) << made_->output; }

  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static std::string agent() { return path("Ada"); }
  /// Runs `agent new` into `dir / "New"` from `corpus`, expecting the bad-input code, one line
  /// holding `says`, and `dir` as it was.
  static void expect_new_agent_refused(const test::TempDir& dir, const std::string& corpus, const std::string& says) {
    const auto before = entries(dir / "");
    const auto r = test::run_command(mistakes_cli() + " agent new --agent " + (dir / "New").string() +
                                     " --name New --corpus " + corpus + " --settings " + path("tiny.toml"));
    EXPECT_EQ(r.exit_code, kInputExitCode) << r.output;
    EXPECT_EQ(output_lines(r.output), 1u) << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << r.output;
    EXPECT_EQ(entries(dir / ""), before) << r.output;
  }

  static test::TempDir* dir_;
  static test::CommandResult* made_;
};
test::TempDir* FirstMistakes::dir_ = nullptr;
test::CommandResult* FirstMistakes::made_ = nullptr;

TEST_F(FirstMistakes, AMadeAgentLeavesNoWorkingFolderBehind) {
  EXPECT_TRUE(fs::is_regular_file(*dir_ / "Ada" / "ml2.ckpt"));
  for (const auto& name : entries(*dir_ / "")) EXPECT_NE(name.front(), '.') << name;
}

TEST_F(FirstMistakes, AMissingCorpusSaysTheFolderDoesNotExistAndMakesNoAgent) {
  test::TempDir dir;
  expect_new_agent_refused(dir, (dir / "MISSING_FOLDER").string(), "MISSING_FOLDER: the corpus folder does not exist");
}

TEST_F(FirstMistakes, AMistypedSettingsFileMakesNoAgent) {
  test::TempDir dir;
  const auto before = entries(dir / "");
  const auto r = test::run_command(mistakes_cli() + " agent new --agent " + (dir / "New").string() + " --corpus " +
                                   path("corpus") + " --settings " + (dir / "tiny.tmol").string());
  EXPECT_EQ(r.exit_code, kInputExitCode) << r.output;
  EXPECT_EQ(output_lines(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("tiny.tmol"), std::string::npos) << r.output;
  EXPECT_EQ(entries(dir / ""), before);
}

TEST_F(FirstMistakes, AnEmptyCorpusFolderMakesNoAgent) {
  test::TempDir dir;
  fs::create_directories(dir / "empty");
  expect_new_agent_refused(dir, (dir / "empty").string(), "no audio to learn from");
}

TEST_F(FirstMistakes, ACorpusFolderWithoutAudioMakesNoAgent) {
  test::TempDir dir;
  fs::create_directories(dir / "notes");
  write_file_atomic(dir / "notes" / "readme.txt", "not audio\n");
  write_file_atomic(dir / "notes" / "fake.wav", "not audio either\n");
  expect_new_agent_refused(dir, (dir / "notes").string(), "no audio to learn from (2 files refused");
}

TEST_F(FirstMistakes, AnAgentInMissingFoldersMakesNoneOfThemWhenRefused) {
  test::TempDir dir;
  const auto r = test::run_command(mistakes_cli() + " agent new --agent " + (dir / "a/b/New").string() + " --corpus " +
                                   (dir / "empty").string());
  EXPECT_EQ(r.exit_code, kInputExitCode) << r.output;
  fs::create_directories(dir / "empty");
  const auto empty = test::run_command(mistakes_cli() + " agent new --agent " + (dir / "a/b/New").string() +
                                       " --corpus " + (dir / "empty").string());
  EXPECT_EQ(empty.exit_code, kInputExitCode) << empty.output;
  EXPECT_EQ(entries(dir / ""), std::vector<std::string>{"empty"}) << r.output << empty.output;
}

TEST_F(FirstMistakes, AFolderThatHoldsSomethingElseIsNotTakenForANewAgent) {
  test::TempDir dir;
  fs::create_directories(dir / "New");
  write_file_atomic(dir / "New" / "mine.txt", "keep me\n");
  expect_new_agent_refused(dir, path("corpus"), "is not empty");
  EXPECT_EQ(entries(dir / "New"), std::vector<std::string>{"mine.txt"});
}

TEST_F(FirstMistakes, AnExistingAgentIsNotMadeAgain) {
  const auto r = test::run_command(mistakes_cli() + " agent new --agent " + agent() + " --corpus " + path("corpus"));
  EXPECT_EQ(r.exit_code, kInputExitCode) << r.output;
  EXPECT_EQ(output_lines(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("already an agent"), std::string::npos) << r.output;
}

TEST_F(FirstMistakes, AMistypedPathToIngestMakesNoAgent) {
  test::TempDir dir;
  const auto r = test::run_command(mistakes_cli() + " ingest --agent " + (dir / "New").string() + " " +
                                   (dir / "corpsu").string());
  EXPECT_EQ(r.exit_code, kInputExitCode) << r.output;
  EXPECT_EQ(output_lines(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("corpsu: no such file or folder"), std::string::npos) << r.output;
  EXPECT_TRUE(entries(dir / "").empty());
}

TEST_F(FirstMistakes, AMistypedAgentFolderIsOneLineForEveryCommand) {
  test::TempDir dir;
  const auto typo = (dir / "Adda").string();
  for (const auto& args : {" train --agent " + typo + " --stage all", " sing --agent " + typo + " --song 0 --out " +
                               (dir / "x.wav").string(), " motion --agent " + typo,
                           " converse --session " + (dir / "s").string() + " --agents " + agent() + " " + typo}) {
    const auto r = test::run_command(mistakes_cli() + args);
    EXPECT_EQ(r.exit_code, kInputExitCode) << args << ": " << r.output;
    EXPECT_EQ(output_lines(r.output), 1u) << args << ": " << r.output;
    EXPECT_NE(r.output.find("Adda: no such agent folder"), std::string::npos) << args << ": " << r.output;
  }
  EXPECT_TRUE(entries(dir / "").empty());
}

TEST_F(FirstMistakes, AFolderThatIsNotAnAgentIsOneLine) {
  const auto r = test::run_command(mistakes_cli() + " train --agent " + path("corpus") + " --stage ml1");
  EXPECT_EQ(r.exit_code, kInputExitCode) << r.output;
  EXPECT_EQ(output_lines(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("not an agent folder"), std::string::npos) << r.output;
}

TEST_F(FirstMistakes, ResumingWithAnEditedLayerKeyNamesItAndTheValueUsed) {
  test::TempDir dir;
  fs::copy(agent(), dir / "Ada", fs::copy_options::recursive);
  auto s = agent::load_agent_settings(dir / "Ada" / "agent.toml");
  s.ml1.latent_dim = 16;
  s.ml1.epochs = 2;
  agent::save_agent_settings(dir / "Ada" / "agent.toml", s);
  const auto r = test::run_command(mistakes_cli() + " train --agent " + (dir / "Ada").string() + " --stage ml1 --resume");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Ada: agent.toml's [ml1] latent_dim = 16 is not used by ml1.ckpt, which keeps latent_dim = 8"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ML1 trained, 2 epochs"), std::string::npos) << r.output;
  fs::copy(agent(), dir / "Plain", fs::copy_options::recursive);
  const auto again =
      test::run_command(mistakes_cli() + " train --agent " + (dir / "Plain").string() + " --stage ml1 --resume");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.find("not used by"), std::string::npos) << again.output;
}

}  // namespace
}  // namespace mh
