// `metahuman crawl` and `agent new --crawl`: the machine chooses the corpus from one start song.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "audio/write_wav.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

std::string crawl_cli() { return test::cli_path().string(); }

// Tones a whole tone apart upwards from A3, named so that name order is pitch order.
void write_tones(const fs::path& dir, int n, double seconds = 2.0) {
  fs::create_directories(dir);
  for (int k = 0; k < n; ++k) {
    const double hz = 220.0 * std::pow(2.0, 2 * k / 12.0);
    const auto t = torch::arange(static_cast<int64_t>(seconds * 22050), torch::kFloat64) / 22050.0;
    audio::write_wav(dir / ("tone_" + std::to_string(k) + ".wav"), (0.4 * torch::sin(2 * M_PI * hz * t)).to(torch::kFloat32),
                     22050);
  }
}

size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(CliCrawl, ChoosesTheSongsAndWritesTheirLinksAndTheLog) {
  test::TempDir dir;
  write_tones(dir / "lib", 5);
  const auto r = test::run_command(crawl_cli() + " crawl --library " + (dir / "lib").string() + " --start " +
                                   (dir / "lib" / "tone_0.wav").string() + " --songs 3 --neighbours 1 --out " +
                                   (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the human's only choice"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1. tone_1.wav"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_symlink(dir / "out" / "tone_0.wav"));
  EXPECT_TRUE(fs::is_symlink(dir / "out" / "tone_1.wav"));
  size_t links = 0;
  for (const auto& e : fs::directory_iterator(dir / "out")) links += fs::is_symlink(e.path());
  EXPECT_EQ(links, 3u);
  EXPECT_EQ(lines(read_file(dir / "out" / "crawl.jsonl")), 1u + 2u + 1u);
}

TEST(CliCrawl, AnEmptyLibraryIsOneLineWithTheInputExitCode) {
  test::TempDir dir;
  fs::create_directories(dir / "empty");
  write_tones(dir / "other", 1);
  const auto r = test::run_command(crawl_cli() + " crawl --library " + (dir / "empty").string() + " --start " +
                                   (dir / "other" / "tone_0.wav").string() + " --songs 3 --out " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_EQ(lines(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("no audio files"), std::string::npos) << r.output;
}

TEST(CliCrawl, AStartOutsideTheLibraryIsOneLineWithTheInputExitCode) {
  test::TempDir dir;
  write_tones(dir / "lib", 2);
  write_tones(dir / "other", 1);
  const auto r = test::run_command(crawl_cli() + " crawl --library " + (dir / "lib").string() + " --start " +
                                   (dir / "other" / "tone_0.wav").string() + " --songs 3 --out " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_EQ(lines(r.output), 1u) << r.output;
  EXPECT_NE(r.output.find("not an audio file of the library"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(CliCrawl, AnUnreadableFileIsReportedOnOneLineAndSkipped) {
  test::TempDir dir;
  write_tones(dir / "lib", 2);
  std::ofstream(dir / "lib" / "broken.wav") << "not audio\n";
  const auto r = test::run_command(crawl_cli() + " crawl --library " + (dir / "lib").string() + " --start " +
                                   (dir / "lib" / "tone_1.wav").string() + " --songs 5 --out " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped: " + (dir / "lib" / "broken.wav").string()), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "broken.wav"));
  EXPECT_TRUE(fs::exists(dir / "out" / "tone_0.wav"));
}

TEST(CliCrawl, SongsAreRequiredAndCheckedOnTheCommandLine) {
  const auto missing = test::run_command(crawl_cli() + " crawl --library l --start s --out o");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--songs"), std::string::npos) << missing.output;
  const auto zero = test::run_command(crawl_cli() + " crawl --library l --start s --songs 0 --out o");
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
}

TEST(CliCrawl, AgentNewTakesEitherACorpusOrACrawlWithItsStart) {
  const auto both = test::run_command(crawl_cli() + " agent new --agent a --corpus c --crawl l --start s");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  const auto no_start = test::run_command(crawl_cli() + " agent new --agent a --crawl l");
  EXPECT_EQ(no_start.exit_code, 2) << no_start.output;
  EXPECT_NE(no_start.output.find("--start"), std::string::npos) << no_start.output;
  const auto songs_alone = test::run_command(crawl_cli() + " agent new --agent a --corpus c --songs 3");
  EXPECT_EQ(songs_alone.exit_code, 2) << songs_alone.output;
}

TEST(CliCrawl, AgentNewLearnsTheSongsTheCrawlChose) {
  test::TempDir dir;
  write_tones(dir / "lib", 5, 1.5);
  write_file_atomic(dir / "tiny.toml",
                    "preset = \"0.25_16\"\ndevice = \"cpu\"\n[snippet]\nsilence_window_seconds = 0.25\n"
                    "[ingest]\nvalidation_fraction = 0.0\nreference_fraction = 0.0\n[ml1]\npreset = \"fast\"\n"
                    "latent_dim = 8\nepochs = 1\nbatch_size = 16\n[ml2]\nlatent_dim = 4\nhidden = 16\nmax_length = 64\n"
                    "epochs = 1\nbatch_size = 2\n");
  const auto r = test::run_command(crawl_cli() + " agent new --agent " + (dir / "agent").string() + " --crawl " +
                                   (dir / "lib").string() + " --start " + (dir / "lib" / "tone_2.wav").string() +
                                   " --songs 3 --settings " + (dir / "tiny.toml").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(": 3 songs"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir / "agent" / "crawl" / "crawl.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "agent" / "crawl" / "tone_2.wav"));
}

}  // namespace
}  // namespace mh
