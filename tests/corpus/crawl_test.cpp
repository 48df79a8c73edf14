#include "corpus/crawl.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus/crawl_test_util.hpp"
#include "support/paths.hpp"

namespace mh::corpus {
namespace {
namespace fs = std::filesystem;
using test::tone_name;

std::vector<std::string> names(const CrawlResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.library_files) out.push_back(p.filename().string());
  return out;
}

std::vector<nlohmann::json> log_lines(const fs::path& log) {
  std::istringstream in(read_file(log));
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

template <typename E, typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

TEST(Crawl, FromTheLowestToneTheNearestFirstChainClimbsThroughItsNeighbours) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 6);
  CrawlSettings s;
  s.songs = 6;
  s.neighbours = 1;
  const auto r = crawl(dir / "library", dir / "library" / tone_name(0), dir / "out", s);
  const std::vector<std::string> climb = {tone_name(0), tone_name(1), tone_name(2),
                                          tone_name(3), tone_name(4), tone_name(5)};
  EXPECT_EQ(names(r), climb);
}

TEST(Crawl, FromAMiddleToneTheFirstStepGoesToAnAdjacentTone) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 7);
  CrawlSettings s;
  s.songs = 2;
  s.neighbours = 2;
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    s.seed = seed;
    const auto out = dir / ("out" + std::to_string(seed));
    const auto r = crawl(dir / "library", dir / "library" / tone_name(3), out, s);
    ASSERT_EQ(r.library_files.size(), 2u);
    const auto next = names(r)[1];
    EXPECT_TRUE(next == tone_name(2) || next == tone_name(4)) << next;
  }
}

TEST(Crawl, TheSameSeedGivesTheSameChainAndLog) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 8);
  CrawlSettings s;
  s.songs = 6;
  s.neighbours = 3;
  s.seed = 11;
  const auto a = crawl(dir / "library", dir / "library" / tone_name(2), dir / "a", s);
  const auto b = crawl(dir / "library", dir / "library" / tone_name(2), dir / "b", s);
  EXPECT_EQ(names(a), names(b));
  EXPECT_EQ(read_file(a.log), read_file(b.log));
  bool another_seed_differs = false;
  for (std::uint64_t seed = 12; seed < 18 && !another_seed_differs; ++seed) {
    s.seed = seed;
    const auto c = crawl(dir / "library", dir / "library" / tone_name(2), dir / ("c" + std::to_string(seed)), s);
    another_seed_differs = names(c) != names(a);
  }
  EXPECT_TRUE(another_seed_differs) << "the seed changes nothing";
}

TEST(Crawl, StopsAfterTheSongCountAndLinksTheChosenFiles) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 5);
  CrawlSettings s;
  s.songs = 3;
  const auto r = crawl(dir / "library", dir / "library" / tone_name(0), dir / "out", s);
  EXPECT_EQ(r.walk.stop, "songs");
  ASSERT_EQ(r.written.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(fs::is_symlink(r.written[i])) << r.written[i];
    EXPECT_TRUE(fs::equivalent(r.written[i], r.library_files[i]));
  }
  size_t audio_files = 0;
  for (const auto& e : fs::directory_iterator(dir / "out")) audio_files += e.path().extension() == ".wav";
  EXPECT_EQ(audio_files, 3u);
}

TEST(Crawl, StopsOnceTheChosenSongsLastTheMinutes) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 6, 20.0);
  CrawlSettings s;
  s.songs = 6;
  s.minutes = 0.9;  // 54 s: the third 20-s song reaches it
  s.copy = true;
  const auto r = crawl(dir / "library", dir / "library" / tone_name(0), dir / "out", s);
  EXPECT_EQ(r.walk.stop, "minutes");
  EXPECT_EQ(r.library_files.size(), 3u);
  EXPECT_NEAR(r.walk.seconds, 60.0, 0.01);
  for (const auto& w : r.written) EXPECT_FALSE(fs::is_symlink(w)) << "--copy gives copies";
}

TEST(Crawl, TheLogHoldsEveryStepsCandidatesNearestFirstAndTheChoice) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 6);
  CrawlSettings s;
  s.songs = 4;
  s.neighbours = 3;
  const auto r = crawl(dir / "library", dir / "library" / tone_name(5), dir / "out", s);
  const auto lines = log_lines(dir / "out" / "crawl.jsonl");
  ASSERT_EQ(lines.size(), 1u + 3u + 1u);  // head, three steps, end
  EXPECT_EQ(lines[0]["start"], tone_name(5));
  for (size_t i = 1; i <= 3; ++i) {
    const auto& step = lines[i];
    ASSERT_EQ(step["candidates"].size(), 3u) << step;
    bool choice_is_a_candidate = false;
    double last = -1;
    for (const auto& c : step["candidates"]) {
      EXPECT_GE(c["distance"].get<double>(), last) << step;
      last = c["distance"].get<double>();
      choice_is_a_candidate |= c["path"] == step["choice"];
    }
    EXPECT_TRUE(choice_is_a_candidate) << step;
    EXPECT_EQ(step["choice"], names(r)[i]);
  }
  EXPECT_EQ(lines[4]["stop"], "songs");
  EXPECT_EQ(lines[4]["chosen"].size(), 4u);
}

TEST(Crawl, AnUnreadableFileIsSkippedAndReported) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 3);
  std::ofstream(dir / "library" / "broken.wav") << "this is not audio\n";
  CrawlSettings s;
  s.songs = 10;
  const auto r = crawl(dir / "library", dir / "library" / tone_name(0), dir / "out", s);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].path.filename(), "broken.wav");
  EXPECT_NE(r.skipped[0].reason.find("broken.wav"), std::string::npos) << r.skipped[0].reason;
  EXPECT_EQ(r.library_files.size(), 3u);
  EXPECT_EQ(r.walk.stop, "library");
  const auto lines = log_lines(r.log);
  ASSERT_EQ(lines[0]["skipped"].size(), 1u);
  EXPECT_EQ(lines[0]["skipped"][0]["path"], "broken.wav");
}

TEST(Crawl, AnEmptyLibraryIsRefusedNamingIt) {
  mh::test::TempDir dir;
  fs::create_directories(dir / "empty");
  test::write_tone(dir / "start.wav", 440);
  const auto what = error_of<InputError>([&] { crawl(dir / "empty", dir / "start.wav", dir / "out", {}); });
  EXPECT_NE(what.find("no audio files"), std::string::npos) << what;
  EXPECT_NE(what.find("empty"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(Crawl, AStartOutsideTheLibraryIsRefusedNamingBoth) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 3);
  test::write_tone(dir / "elsewhere.wav", 440);
  const auto what = error_of<InputError>([&] { crawl(dir / "library", dir / "elsewhere.wav", dir / "out", {}); });
  EXPECT_NE(what.find("elsewhere.wav"), std::string::npos) << what;
  EXPECT_NE(what.find("not an audio file of the library"), std::string::npos) << what;
}

TEST(Crawl, AnUnreadableStartIsRefused) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 3);
  std::ofstream(dir / "library" / "broken.wav") << "this is not audio\n";
  const auto what = error_of<InputError>([&] { crawl(dir / "library", dir / "library" / "broken.wav", dir / "out", {}); });
  EXPECT_NE(what.find("start file cannot be used"), std::string::npos) << what;
}

TEST(Crawl, AnOutputFolderThatHoldsFilesIsRefusedAndKept) {
  mh::test::TempDir dir;
  test::write_tone_library(dir / "library", 3);
  fs::create_directories(dir / "out");
  std::ofstream(dir / "out" / "mine.txt") << "keep me\n";
  const auto what = error_of<IoError>([&] { crawl(dir / "library", dir / "library" / tone_name(0), dir / "out", {}); });
  EXPECT_NE(what.find("not an empty folder"), std::string::npos) << what;
  EXPECT_EQ(read_file(dir / "out" / "mine.txt"), "keep me\n");
}

}  // namespace
}  // namespace mh::corpus
