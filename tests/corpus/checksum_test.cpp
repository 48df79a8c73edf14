// Every byte of a store's manifest and data header is covered by a checksum: any flipped byte is
// refused on open with one line naming the file, and a flipped item byte when the item is read.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus/data_file.hpp"
#include "corpus/snippet_store.hpp"
#include "corpus_test_util.hpp"
#include "support/paths.hpp"

namespace mh::corpus {
namespace {

namespace fs = std::filesystem;
using test::human;
using test::random_snippets;
using test::song_record;

const StoreShape kChecksumShape{4, 3};
constexpr int64_t kHeaderBytes = 32;
constexpr int64_t kItemBytes = 4 * 3 * 2;

void make_store(const fs::path& dir) {
  auto store = SnippetStore::create(dir, kChecksumShape);
  store.append_song(song_record("a"), random_snippets(2, kChecksumShape, 1), human());
  store.append_song(song_record("b"), random_snippets(1, kChecksumShape, 2), human());
}

// Runs f, which must throw DatasetError with a one-line message; returns the message.
template <typename F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const DatasetError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    return what;
  }
  ADD_FAILURE() << "accepted";
  return {};
}

}  // namespace

TEST(StoreChecksums, AFlippedByteAnywhereInTheManifestIsRefusedOnOpenWithOneLine) {
  mh::test::TempDir dir;
  make_store(dir / "s");
  const auto path = dir / "s" / detail::kManifestFileName;
  const auto good = read_file(path);
  for (size_t pos = 0; pos < good.size(); ++pos) {
    auto bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    write_file_atomic(path, bad);
    const auto what = refusal([&] { SnippetStore::open(dir / "s"); });
    EXPECT_NE(what.find("manifest"), std::string::npos) << "byte " << pos << ": " << what;
  }
  write_file_atomic(path, good);
  EXPECT_EQ(SnippetStore::open(dir / "s").size(), 3);
}

TEST(StoreChecksums, AFlippedByteInTheDataHeaderIsRefusedOnOpenAndInAnItemWhenRead) {
  mh::test::TempDir dir;
  make_store(dir / "s");
  const auto data = dir / "s" / detail::kDataFileName;
  const auto good = read_file(data);
  for (int64_t pos = 0; pos < kHeaderBytes; ++pos) {
    auto bad = good;
    bad[static_cast<size_t>(pos)] = static_cast<char>(bad[static_cast<size_t>(pos)] ^ 0x01);
    write_file_atomic(data, bad);
    const auto what = refusal([&] { SnippetStore::open(dir / "s"); });
    EXPECT_NE(what.find(detail::kDataFileName), std::string::npos) << "byte " << pos << ": " << what;
  }
  for (int64_t item = 0; item < 3; ++item) {
    for (int64_t offset : {int64_t{0}, kItemBytes - 1}) {
      auto bad = good;
      const auto pos = static_cast<size_t>(kHeaderBytes + item * kItemBytes + offset);
      bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
      write_file_atomic(data, bad);
      const auto store = SnippetStore::open(dir / "s");
      const auto what = refusal([&] { store.read({item}); });
      EXPECT_NE(what.find("checksum mismatch"), std::string::npos) << what;
      refusal([&] { store.verify(); });
    }
  }
}

}  // namespace mh::corpus
