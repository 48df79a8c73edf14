#include "corpus/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/errors.hpp"
#include "corpus/snippet_store.hpp"
#include "corpus_test_util.hpp"
#include "support/paths.hpp"

namespace mh::corpus {
namespace {

std::vector<std::uint64_t> keys(int n, std::uint64_t base = 1000) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(base + static_cast<std::uint64_t>(i) * 7919);
  return out;
}

int64_t count(const std::vector<Split>& s, Split which) { return std::count(s.begin(), s.end(), which); }

TEST(Split, SameSeedGivesTheSameSplitAndAnotherSeedAnother) {
  SplitSettings s;
  s.seed = 42;
  const auto a = assign_splits(keys(50), {}, s);
  EXPECT_EQ(a, assign_splits(keys(50), {}, s));
  s.seed = 43;
  EXPECT_NE(a, assign_splits(keys(50), {}, s));
}

TEST(Split, HeldOutSidesGetTheirFractionOfSongs) {
  SplitSettings s;
  s.validation_fraction = 0.2;
  s.reference_fraction = 0.1;
  const auto a = assign_splits(keys(50), {}, s);
  EXPECT_EQ(count(a, Split::kReference), 5);
  EXPECT_EQ(count(a, Split::kValidation), 10);
  EXPECT_EQ(count(a, Split::kTrain), 35);
}

TEST(Split, ASongsSideDoesNotDependOnTheOrderOfTheFiles) {
  const SplitSettings s;
  auto k = keys(30);
  const auto a = assign_splits(k, {}, s);
  std::reverse(k.begin(), k.end());
  auto b = assign_splits(k, {}, s);
  std::reverse(b.begin(), b.end());
  EXPECT_EQ(a, b);
}

TEST(Split, SmallCorporaKeepAReferenceSongAndSomethingToTrainOn) {
  const SplitSettings s;
  EXPECT_EQ(assign_splits(keys(1), {}, s), std::vector<Split>{Split::kTrain});
  const auto two = assign_splits(keys(2), {}, s);
  EXPECT_EQ(count(two, Split::kReference), 1);
  EXPECT_EQ(count(two, Split::kTrain), 1);
  const auto three = assign_splits(keys(3), {}, s);
  EXPECT_EQ(count(three, Split::kReference), 1);
  EXPECT_EQ(count(three, Split::kValidation), 1);
  EXPECT_EQ(count(three, Split::kTrain), 1);
}

TEST(Split, LaterIngestsTopUpTheHeldOutSidesWithoutMovingStoredSongs) {
  const SplitSettings s;  // 10 % each
  SplitCounts existing{8, 1, 1};
  const auto a = assign_splits(keys(10), existing, s);  // 20 songs in all: 2 reference, 2 validation
  EXPECT_EQ(count(a, Split::kReference), 1);
  EXPECT_EQ(count(a, Split::kValidation), 1);
  existing = {5, 3, 3};  // already more held out than wanted
  EXPECT_EQ(count(assign_splits(keys(4), existing, s), Split::kTrain), 4);
}

TEST(Split, FractionsOutOfRangeAreRefusedNamingTheField) {
  SplitSettings s;
  s.reference_fraction = 0.7;
  try {
    s.validate();
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("split.reference_fraction = 0.7"), std::string::npos) << e.what();
  }
}

TEST(Split, NoSongHasSnippetsOnTwoSidesOfTheStore) {
  mh::test::TempDir dir;
  const StoreShape shape{4, 4};
  auto store = SnippetStore::create(dir / "s", shape);
  const auto splits = assign_splits(keys(12), {}, SplitSettings{});
  for (std::size_t i = 0; i < splits.size(); ++i) {
    store.append_song(test::song_record("s" + std::to_string(i), keys(12)[i]),
                      test::random_snippets(1 + static_cast<int64_t>(i % 3), shape, i), test::human(splits[i]));
  }
  std::map<int64_t, std::set<Split>> sides;
  for (const auto split : {Split::kTrain, Split::kValidation, Split::kReference}) {
    for (const auto id : store.ids(split)) sides[store.manifest().item(id).song_id].insert(split);
  }
  EXPECT_EQ(sides.size(), 12u);
  for (const auto& [song, set] : sides) EXPECT_EQ(set.size(), 1u) << "song " << song;
  const auto counts = human_split_counts(store.manifest());
  EXPECT_EQ(counts.total(), 12);
  EXPECT_GE(counts.reference, 1);
}

}  // namespace
}  // namespace mh::corpus
