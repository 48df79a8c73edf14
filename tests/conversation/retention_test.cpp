#include "conversation/retention.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {
namespace fs = std::filesystem;

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void snapshots(const fs::path& dir, const std::string& agent, int dreams) {
  for (int i = 1; i <= dreams; ++i) {
    for (const char* model : {"ml1", "ml2"}) {
      write_file_atomic(dir / fmt::format("{}_{:03d}_{}_before.ckpt", agent, i, model), "weights");
    }
  }
}

TEST(DreamSnapshots, KeepsTheLastKAndTheEmancipationDreamsOfThatAgentOnly) {
  test::TempDir dir;
  snapshots(dir.path(), "Valerio", 7);
  snapshots(dir.path(), "Dennis", 7);
  snapshots(dir.path(), "Val", 2);  // a name that another one starts with
  write_file_atomic(dir / "Valerio_notes.txt", "not a snapshot");
  const auto removed = prune_dream_snapshots(dir.path(), "Valerio", 3, 2);
  EXPECT_EQ(removed.size(), 6u);  // dreams 1, 3 and 4
  std::set<std::string> valerio;
  for (const auto& n : names_in(dir.path())) {
    if (n.rfind("Valerio_", 0) == 0) valerio.insert(n);
  }
  const std::set<std::string> expected{
      "Valerio_002_ml1_before.ckpt", "Valerio_002_ml2_before.ckpt", "Valerio_005_ml1_before.ckpt",
      "Valerio_005_ml2_before.ckpt", "Valerio_006_ml1_before.ckpt", "Valerio_006_ml2_before.ckpt",
      "Valerio_007_ml1_before.ckpt", "Valerio_007_ml2_before.ckpt", "Valerio_notes.txt"};
  EXPECT_EQ(valerio, expected);
  EXPECT_EQ(names_in(dir.path()).size(), expected.size() + 14 + 4);  // Dennis's and Val's untouched
  // Without an emancipation yet: exactly the last K.
  prune_dream_snapshots(dir.path(), "Dennis", 2, std::nullopt);
  int dennis = 0;
  for (const auto& n : names_in(dir.path())) dennis += n.rfind("Dennis_00", 0) == 0 ? 1 : 0;
  EXPECT_EQ(dennis, 4);
  EXPECT_TRUE(fs::exists(dir / "Dennis_007_ml2_before.ckpt"));
  EXPECT_TRUE(fs::exists(dir / "Dennis_006_ml1_before.ckpt"));
}

TEST(DreamSnapshots, KeepZeroKeepsEverything) {
  test::TempDir dir;
  snapshots(dir.path(), "Valerio", 5);
  EXPECT_TRUE(prune_dream_snapshots(dir.path(), "Valerio", 0, std::nullopt).empty());
  EXPECT_EQ(names_in(dir.path()).size(), 10u);
  EXPECT_TRUE(prune_dream_snapshots(dir / "absent", "Valerio", 3, std::nullopt).empty());
}

TEST(SongsCap, RemovesOnlyTheOldestWavsUntilTheFolderFits) {
  test::TempDir dir;
  for (int i = 0; i < 10; ++i) {
    write_file_atomic(dir / fmt::format("{:04d}_Valerio_human.wav", i), std::string(1000, 'a'));
    write_file_atomic(dir / fmt::format("{:04d}_Valerio_human.json", i), std::string(100, 'j'));
  }
  write_file_atomic(dir / "10000_Dennis_imitation.wav", std::string(1000, 'a'));  // past 9999 songs
  write_file_atomic(dir / "10000_Dennis_imitation.json", std::string(100, 'j'));
  // 11 WAVs × 1000 bytes (the sidecars do not count); a cap of 8000 needs 3 gone.
  const auto pruned = cap_songs_folder(dir.path(), 8000, 10000);
  ASSERT_EQ(pruned.wavs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pruned.wavs[static_cast<size_t>(i)], fmt::format("{:04d}_Valerio_human.wav", i));
  }
  EXPECT_EQ(pruned.bytes_freed, 3000u);
  EXPECT_EQ(pruned.bytes_after, 8000u);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(fs::exists(dir / fmt::format("{:04d}_Valerio_human.json", i))) << i;
  EXPECT_TRUE(fs::exists(dir / "10000_Dennis_imitation.wav"));
  // Songs the conversation still reads stay even when the folder cannot fit without them.
  const auto protected_run = cap_songs_folder(dir.path(), 1, 7);
  EXPECT_EQ(protected_run.wavs.size(), 4u);  // songs 3 to 6
  EXPECT_TRUE(fs::exists(dir / "0007_Valerio_human.wav"));
  EXPECT_TRUE(cap_songs_folder(dir.path(), 0, 100000).wavs.empty());  // no cap
  // However many sidecars pile up, they leave the audio alone.
  for (int i = 0; i < 50; ++i) write_file_atomic(dir / fmt::format("{:04d}_Dennis_variation.json", 100 + i), std::string(1000, 'j'));
  EXPECT_TRUE(cap_songs_folder(dir.path(), 4000, 10).wavs.empty());
}

TEST(SongsCap, ShowsTheChosenWavsBeforeRemovingThem) {
  test::TempDir dir;
  for (int i = 0; i < 4; ++i) write_file_atomic(dir / fmt::format("{:04d}_Dennis_variation.wav", i), std::string(1000, 'a'));
  std::vector<fs::path> seen;
  bool present_when_seen = true;
  const auto pruned = cap_songs_folder(dir.path(), 2500, 100, [&](const std::vector<fs::path>& wavs) {
    seen = wavs;
    for (const auto& w : wavs) present_when_seen = present_when_seen && fs::exists(w);
  });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], dir / "0000_Dennis_variation.wav");
  EXPECT_EQ(seen[1], dir / "0001_Dennis_variation.wav");
  EXPECT_TRUE(present_when_seen);
  EXPECT_EQ(pruned.wavs.size(), 2u);
  EXPECT_FALSE(fs::exists(seen[0]));
  // Nothing to remove: no call.
  bool called = false;
  cap_songs_folder(dir.path(), 1 << 20, 100, [&](const std::vector<fs::path>&) { called = true; });
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace mh::conversation
