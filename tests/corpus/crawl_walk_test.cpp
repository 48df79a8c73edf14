#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/errors.hpp"
#include "corpus/crawl.hpp"

namespace mh::corpus {
namespace {

// Songs on a line at 0, 1, 2, ...: song i's nearest are i - 1 and i + 1.
torch::Tensor line(int64_t n) { return torch::arange(n, torch::kFloat64).unsqueeze(1); }

TEST(CrawlWalk, WithOneNeighbourItAlwaysTakesTheNearestSongNotYetTaken) {
  CrawlSettings s;
  s.songs = 5;
  s.neighbours = 1;
  const auto w = walk_library(line(8), std::vector<double>(8, 1.0), 2, s);
  // From 2, songs 1 and 3 are equally near: the lower index first; then 0 is nearer to 1 than 3 is.
  EXPECT_EQ(w.chosen, (std::vector<int64_t>{2, 1, 0, 3, 4}));
  EXPECT_EQ(w.stop, "songs");
}

TEST(CrawlWalk, EachChoiceIsAmongTheNearestNotYetTaken) {
  CrawlSettings s;
  s.songs = 20;
  s.neighbours = 3;
  s.seed = 5;
  const auto w = walk_library(line(20), std::vector<double>(20, 1.0), 10, s);
  ASSERT_EQ(w.steps.size(), 19u);
  for (const auto& step : w.steps) {
    EXPECT_LE(step.candidates.size(), 3u);
    for (size_t c = 1; c < step.distances.size(); ++c) EXPECT_LE(step.distances[c - 1], step.distances[c]);
    EXPECT_NE(std::find(step.candidates.begin(), step.candidates.end(), step.choice), step.candidates.end());
  }
  EXPECT_EQ(w.stop, "songs");
}

TEST(CrawlWalk, SameSeedSameChainAndTheSeedMatters) {
  CrawlSettings s;
  s.songs = 12;
  s.neighbours = 4;
  s.seed = 3;
  const auto points = torch::randn({30, 5}, at::detail::createCPUGenerator(1), torch::kFloat64);
  const std::vector<double> seconds(30, 1.0);
  const auto a = walk_library(points, seconds, 0, s);
  EXPECT_EQ(a.chosen, walk_library(points, seconds, 0, s).chosen);
  s.seed = 4;
  EXPECT_NE(a.chosen, walk_library(points, seconds, 0, s).chosen);
}

TEST(CrawlWalk, StopsOnceTheMinutesAreReachedKeepingTheSongThatReachesThem) {
  CrawlSettings s;
  s.songs = 100;
  s.minutes = 2.5;
  const auto w = walk_library(line(10), std::vector<double>(10, 60.0), 0, s);
  EXPECT_EQ(w.chosen.size(), 3u);
  EXPECT_DOUBLE_EQ(w.seconds, 180.0);
  EXPECT_EQ(w.stop, "minutes");
}

TEST(CrawlWalk, StopsWhenEverySongIsTaken) {
  CrawlSettings s;
  s.songs = 100;
  const auto w = walk_library(line(4), std::vector<double>(4, 1.0), 3, s);
  EXPECT_EQ(w.chosen.size(), 4u);
  EXPECT_EQ(w.stop, "library");
}

TEST(CrawlWalk, BadSettingsNameTheFieldAndRange) {
  CrawlSettings s;
  s.neighbours = 0;
  try {
    s.validate();
    FAIL() << "neighbours 0 accepted";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("crawl.neighbours = 0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[1, 1000]"), std::string::npos) << e.what();
  }
  s = {};
  s.songs = 0;
  EXPECT_THROW(s.validate(), SettingsError);
  s = {};
  s.minutes = -1;
  EXPECT_THROW(s.validate(), SettingsError);
}

}  // namespace
}  // namespace mh::corpus
