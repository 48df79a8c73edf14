// The short versions of the long-run scripts (docs/long_runs.md): a few random kills and a soak
// of two minutes, on a corpus of synthetic melodies, so that the scripts and what they check
// cannot rot between the long runs made by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "audio/write_wav.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

// A melody of half-second notes, 8 s long, in the given part's register.
void write_melody(const fs::path& path, double base_hz, int song) {
  const int rate = 22050;
  auto t = torch::arange(8 * rate, torch::kFloat64) / rate;
  auto note = torch::floor(t / 0.5);
  auto hz = base_hz * torch::pow(2.0, torch::remainder(note * (song + 2), 7.0) * 2.0 / 12.0);
  auto phase = torch::cumsum(2 * M_PI * hz / rate, 0);
  audio::write_wav(path, (0.3 * torch::sin(phase)).to(torch::kFloat32), rate);
}

fs::path melody_corpus(const fs::path& dir) {
  for (const auto& [part, base] : {std::pair{"valerio", 130.8}, std::pair{"dennis", 261.6}}) {
    fs::create_directories(dir / part);
    for (int i = 0; i < 6; ++i) write_melody(dir / part / ("m" + std::to_string(i) + ".wav"), base, i);
  }
  return dir;
}

std::string script(const std::string& name) { return "bash " + (test::source_dir() / "scripts" / name).string(); }

size_t line_count(const fs::path& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

TEST(LongRunScripts, ThreeRandomKillsResumeToTheSongsAndModelsOfAWholeRun) {
  test::TempDir dir;
  const auto corpus = melody_corpus(dir / "corpus");
  const auto r = test::run_command(script("random_kills.sh") + " " + test::cli_path().parent_path().string() + " " +
                                   (dir / "kills").string() + " 3 1 2 " + corpus.string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pass: the songs, datasets and models are bit-identical"), std::string::npos) << r.output;
  EXPECT_EQ(line_count(dir / "kills" / "kills.csv"), 4u) << r.output;  // a header and three kills
}

TEST(LongRunScripts, ATwoMinuteSoakStopsOnSigtermWithinItsDiskBounds) {
  test::TempDir dir;
  const auto corpus = melody_corpus(dir / "corpus");
  const auto r = test::run_command(script("soak.sh") + " " + test::cli_path().parent_path().string() + " " +
                                   (dir / "soak").string() + " 2 " + corpus.string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pass  exit status after SIGTERM: 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pass  songs' WAVs under their cap"), std::string::npos) << r.output;
  EXPECT_EQ(line_count(dir / "soak" / "soak.csv"), 3u) << r.output;  // a header and a row a minute
}

}  // namespace
}  // namespace mh
