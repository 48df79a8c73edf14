#include "corpus/manifest.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/files.hpp"
#include "corpus_test_util.hpp"

namespace mh::corpus {
namespace {

using nlohmann::json;

/// The manifest's bytes with every song's body edited by `edit`, header recomputed.
std::string with_songs_edited(const Manifest& m, void (*edit)(json&)) {
  const std::string bytes = m.serialise();
  json body = json::parse(bytes.substr(bytes.find('\n') + 1));
  for (auto& song : body["songs"]) edit(song);
  const std::string text = body.dump(1);
  json header = json::parse(bytes.substr(0, bytes.find('\n')));
  header["body_bytes"] = text.size();
  header["body_fnv1a64"] = fmt::format("{:016x}", fnv1a64(text));
  return header.dump() + "\n" + text + "\n";
}

Manifest two_songs() {
  Manifest m(StoreShape{8, 6});
  m.add(test::song_record("human song"), test::human(), {1, 2});
  m.add(test::song_record("variation"), test::machine("alice", 1, 3), {3});
  return m;
}

TEST(Manifest, NoLongerWritesTheParentSongIdThatConversationsLeftAtMinusOne) {
  EXPECT_EQ(two_songs().serialise().find("parent_song_id"), std::string::npos);
}

TEST(Manifest, AManifestWrittenWithParentSongIdsStillLoads) {
  const auto old = with_songs_edited(two_songs(), [](json& song) { song["parent_song_id"] = -1; });
  ASSERT_NE(old.find("parent_song_id"), std::string::npos);
  const auto m = Manifest::parse(old, "old manifest");
  ASSERT_EQ(m.songs().size(), 2u);
  EXPECT_EQ(m.song(1).provenance.origin, "alice");
  EXPECT_EQ(m.song(1).provenance.round, 3);
  EXPECT_EQ(m.n_items(), 3);
}

}  // namespace
}  // namespace mh::corpus
