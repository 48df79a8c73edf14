// Crash safety, corruption detection and the read path's memory use of the snippet store.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus/snippet_store.hpp"
#include "corpus_test_util.hpp"
#include "support/paths.hpp"

namespace mh::corpus {
namespace {

namespace fs = std::filesystem;
using test::human;
using test::random_snippets;
using test::song_record;

const StoreShape kSafetyShape{8, 6};
constexpr int64_t kSafetyItemBytes = 8 * 6 * 2;
constexpr int64_t kSafetyHeaderBytes = 32;

SnippetStore store_with_two_songs(const fs::path& dir) {
  auto store = SnippetStore::create(dir, kSafetyShape);
  store.append_song(song_record("a"), random_snippets(3, kSafetyShape, 1), human());
  store.append_song(song_record("b"), random_snippets(2, kSafetyShape, 2), human());
  return store;
}

TEST(StoreSafety, AnAppendNeverCommittedLeavesTheStoreAsItWasAndAppendingStillWorks) {
  mh::test::TempDir dir;
  const auto path = dir / "s";
  const auto before = random_snippets(2, kSafetyShape, 3);
  {
    auto store = SnippetStore::create(path, kSafetyShape);
    store.append_song(song_record("kept"), before, human());
    auto session = store.begin_append();
    session.add_song(song_record("lost"), random_snippets(4, kSafetyShape, 4), human());
    EXPECT_EQ(session.pending_songs(), 1);
    // The session ends without commit, as when the process is killed after writing the data.
  }
  EXPECT_EQ(fs::file_size(path / "snippets.bin"), static_cast<std::uintmax_t>(kSafetyHeaderBytes + 6 * kSafetyItemBytes));
  const std::string manifest_before = read_file(path / "manifest.json");

  auto store = SnippetStore::open(path);
  EXPECT_EQ(store.size(), 2);
  EXPECT_EQ(store.manifest().songs().size(), 1u);
  EXPECT_NO_THROW(store.verify());
  EXPECT_EQ(read_file(path / "manifest.json"), manifest_before);

  const auto next = random_snippets(1, kSafetyShape, 5);
  EXPECT_EQ(store.append_song(song_record("next"), next, human()), 1);
  // The uncommitted bytes were cut before the new song was written after the committed end.
  EXPECT_EQ(fs::file_size(path / "snippets.bin"), static_cast<std::uintmax_t>(kSafetyHeaderBytes + 3 * kSafetyItemBytes));
  const auto reopened = SnippetStore::open(path);
  EXPECT_EQ(reopened.size(), 3);
  EXPECT_NO_THROW(reopened.verify());
  EXPECT_LE((reopened.read({2})[0][0] - next[0]).abs().max().item<double>(), kQuantisationError + 1e-7);
  EXPECT_LE((reopened.read({0})[0][0] - before[0]).abs().max().item<double>(), kQuantisationError + 1e-7);
}

TEST(StoreSafety, GarbageAfterTheCommittedEndIsIgnored) {
  mh::test::TempDir dir;
  store_with_two_songs(dir / "s");
  test::append_bytes(dir / "s" / "snippets.bin", std::string(1000, '\x7f'));
  const auto store = SnippetStore::open(dir / "s");
  EXPECT_EQ(store.size(), 5);
  EXPECT_NO_THROW(store.verify());
}

TEST(StoreSafety, ASessionCommitsAllItsSongsTogether) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kSafetyShape);
  auto session = store.begin_append();
  EXPECT_EQ(session.add_song(song_record("a"), random_snippets(1, kSafetyShape, 6), human()), 0);
  EXPECT_EQ(session.add_song(song_record("b"), random_snippets(2, kSafetyShape, 7), human()), 1);
  EXPECT_EQ(store.size(), 0);
  EXPECT_EQ(SnippetStore::open(dir / "s").size(), 0);
  session.commit();
  EXPECT_EQ(store.size(), 3);
  EXPECT_EQ(SnippetStore::open(dir / "s").size(), 3);
  test::expect_dataset_error([&] { session.commit(); }, "already committed");
}

TEST(StoreSafety, TwoAppendsAtOnceAreRefused) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kSafetyShape);
  auto session = store.begin_append();
  test::expect_dataset_error([&] { store.begin_append(); }, "already in progress");
  auto other = SnippetStore::open(dir / "s");
  test::expect_dataset_error([&] { other.begin_append(); }, "another process is appending");
}

TEST(StoreSafety, AppendingThroughAStaleHandleIsRefused) {
  mh::test::TempDir dir;
  auto first = SnippetStore::create(dir / "s", kSafetyShape);
  auto second = SnippetStore::open(dir / "s");
  second.append_song(song_record("b"), random_snippets(1, kSafetyShape, 8), human());
  test::expect_dataset_error([&] { first.append_song(song_record("a"), random_snippets(1, kSafetyShape, 9), human()); },
                             "changed by another process");
  EXPECT_EQ(SnippetStore::open(dir / "s").size(), 1);
}

TEST(StoreSafety, AFlippedByteInAnItemIsDetectedWhenReadAndByVerify) {
  mh::test::TempDir dir;
  store_with_two_songs(dir / "s");
  test::flip_byte(dir / "s" / "snippets.bin", kSafetyHeaderBytes + 3 * kSafetyItemBytes + 17);  // item 3: song b, snippet 0
  const auto store = SnippetStore::open(dir / "s");
  EXPECT_NO_THROW(store.read({0, 1, 2, 4}));
  test::expect_dataset_error([&] { store.read({3}); }, "item 3 (song 1 'b', snippet 0) is corrupt: checksum mismatch");
  test::expect_dataset_error([&] { store.verify(); }, "1 of 5 items are corrupt");
}

TEST(StoreSafety, TruncatedDataIsRefusedOnOpen) {
  mh::test::TempDir dir;
  store_with_two_songs(dir / "s");
  fs::resize_file(dir / "s" / "snippets.bin", kSafetyHeaderBytes + 4 * kSafetyItemBytes + 5);
  test::expect_dataset_error([&] { SnippetStore::open(dir / "s"); }, "truncated");
}

TEST(StoreSafety, AFlippedByteInTheManifestIsDetected) {
  mh::test::TempDir dir;
  store_with_two_songs(dir / "s");
  const auto path = dir / "s" / "manifest.json";
  const auto text = read_file(path);
  test::flip_byte(path, static_cast<std::streamoff>(text.find("\"title\": \"b\"") + 11));
  test::expect_dataset_error([&] { SnippetStore::open(dir / "s"); }, "checksum mismatch");
}

TEST(StoreSafety, ForeignFilesAreRefusedWithAClearMessage) {
  mh::test::TempDir dir;
  store_with_two_songs(dir / "s");
  const auto data = dir / "s" / "snippets.bin";
  const auto saved = read_file(data);
  write_file_atomic(data, std::string("RIFF\x24\x00\x00\x00WAVEfmt ") + std::string(200, '\0'));
  test::expect_dataset_error([&] { SnippetStore::open(dir / "s"); }, "not a snippet data file (bad magic)");
  write_file_atomic(data, saved);

  write_file_atomic(dir / "s" / "manifest.json", R"({"songs": []})");
  test::expect_dataset_error([&] { SnippetStore::open(dir / "s"); }, "not a snippet-store manifest");
  write_file_atomic(dir / "s" / "manifest.json", "hello");
  test::expect_dataset_error([&] { SnippetStore::open(dir / "s"); }, "not a snippet-store manifest");
}

TEST(StoreSafety, ADataFileOfAnotherShapeIsRefused) {
  mh::test::TempDir dir;
  store_with_two_songs(dir / "s");
  SnippetStore::create(dir / "other", StoreShape{6, 8});
  fs::copy_file(dir / "other" / "snippets.bin", dir / "s" / "snippets.bin", fs::copy_options::overwrite_existing);
  test::expect_dataset_error([&] { SnippetStore::open(dir / "s"); }, "holds 6x8 snippets but the manifest says 8x6");
}

TEST(StoreSafety, ReadingABatchReadsOnlyItsOwnItems) {
  mh::test::TempDir dir;
  const StoreShape shape{32, 32};
  auto store = SnippetStore::create(dir / "s", shape);
  auto session = store.begin_append();
  for (int song = 0; song < 40; ++song) {
    session.add_song(song_record("song" + std::to_string(song)), random_snippets(50, shape, song), human());
  }
  session.commit();
  ASSERT_EQ(store.size(), 2000);
  const auto before = store.bytes_read();
  const auto batch = store.read({5, 1999, 700, 1234});
  EXPECT_EQ(batch.size(0), 4);
  EXPECT_EQ(store.bytes_read() - before, 4u * 32 * 32 * 2);
}

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(StoreSafety, ReadingEveryItemInBatchesKeepsResidentMemoryFarBelowTheFileSize) {
  mh::test::TempDir dir;
  const StoreShape shape{64, 64};
  {
    auto store = SnippetStore::create(dir / "s", shape);
    auto session = store.begin_append();
    for (int song = 0; song < 30; ++song) {
      session.add_song(song_record("song" + std::to_string(song)), random_snippets(100, shape, song), human());
    }
    session.commit();
  }
  const auto file_kib = static_cast<long>(fs::file_size(dir / "s" / "snippets.bin") / 1024);  // ≈ 24 MB
  const auto store = SnippetStore::open(dir / "s");
  store.read({0, 1});  // first-use allocations out of the measurement
  const long start = resident_kib();
  ASSERT_GT(start, 0);
  double sum = 0;
  for (int64_t first = 0; first < store.size(); first += 32) {
    std::vector<int64_t> ids;
    for (int64_t i = first; i < std::min(store.size(), first + 32); ++i) ids.push_back(i);
    sum += store.read(ids).sum().item<double>();
  }
  EXPECT_GT(sum, 0);
  EXPECT_LT(resident_kib() - start, file_kib / 4) << "file " << file_kib << " KiB";
}

}  // namespace
}  // namespace mh::corpus
