#include "corpus/snippet_store.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"
#include "corpus_test_util.hpp"
#include "support/paths.hpp"

namespace mh::corpus {
namespace {

namespace fs = std::filesystem;
using test::human;
using test::random_snippets;
using test::song_record;

const StoreShape kShape{8, 6};

TEST(SnippetStore, CreatedStoreOpensEmptyWithItsShape) {
  mh::test::TempDir dir;
  SnippetStore::create(dir / "store", kShape);
  const auto store = SnippetStore::open(dir / "store");
  EXPECT_EQ(store.size(), 0);
  EXPECT_EQ(store.shape(), kShape);
  EXPECT_TRUE(store.manifest().songs().empty());
  EXPECT_EQ(store.read({}).sizes(), (std::vector<int64_t>{0, 1, 8, 6}));
}

TEST(SnippetStore, AppendedSnippetsReadBackWithinTheQuantisationError) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  const auto a = random_snippets(3, kShape, 1);
  const auto b = random_snippets(2, kShape, 2);
  EXPECT_EQ(store.append_song(song_record("a"), a, human()), 0);
  EXPECT_EQ(store.append_song(song_record("b"), b, human()), 1);
  EXPECT_EQ(store.size(), 5);

  const auto reopened = SnippetStore::open(dir / "s");
  const auto back = reopened.read({0, 1, 2, 3, 4});
  ASSERT_EQ(back.sizes(), (std::vector<int64_t>{5, 1, 8, 6}));
  const auto expected = torch::cat({a, b}).unsqueeze(1);
  const double err = (back - expected).abs().max().item<double>();
  EXPECT_LE(err, kQuantisationError + 1e-7);
  EXPECT_GT(err, 0.0);  // values really went through 16-bit storage
}

TEST(SnippetStore, ReadFollowsTheRequestedOrderAndRepeats) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  const auto a = random_snippets(4, kShape, 3);
  store.append_song(song_record("a"), a, human());
  const auto back = store.read({3, 0, 3});
  EXPECT_TRUE(torch::allclose(back[0][0], a[3], 0, 1e-5));
  EXPECT_TRUE(torch::allclose(back[1][0], a[0], 0, 1e-5));
  EXPECT_TRUE(torch::equal(back[0], back[2]));
}

TEST(SnippetStore, ASongIsReadBackWholeAndInOrder) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  store.append_song(song_record("a"), random_snippets(2, kShape, 11), human());
  const auto b = random_snippets(3, kShape, 12);
  store.append_song(song_record("b"), b, human());
  const auto back = store.read_song(1);
  ASSERT_EQ(back.size(0), 3);
  EXPECT_LE((back.squeeze(1) - b).abs().max().item<double>(), kQuantisationError + 1e-7);
  test::expect_dataset_error([&] { store.read_song(2); }, "song id 2 out of range");
}

TEST(SnippetStore, ValuesOutsideTheUnitRangeAreClampedAndNanIsRefused) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  auto x = torch::full({1, 8, 6}, 0.5);
  x[0][0][0] = -3.0;
  x[0][0][1] = 7.0;
  store.append_song(song_record("clamped"), x, human());
  const auto back = store.read({0});
  EXPECT_EQ(back[0][0][0][0].item<float>(), 0.0f);
  EXPECT_EQ(back[0][0][0][1].item<float>(), 1.0f);
  x[0][0][2] = NAN;
  EXPECT_THROW(store.append_song(song_record("nan"), x, human()), InputError);
  EXPECT_EQ(store.size(), 1);
}

TEST(SnippetStore, WrongSnippetShapeIsRefusedNamingTheShapes) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  try {
    store.append_song(song_record("x"), torch::zeros({2, 8, 7}), human());
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("got [2, 8, 7]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(store.append_song(song_record("x"), torch::zeros({0, 8, 6}), human()), ShapeError);
  // [N, 1, n_mels, frames], as the model produces it, is accepted.
  EXPECT_NO_THROW(store.append_song(song_record("x"), torch::zeros({2, 1, 8, 6}), human()));
}

TEST(SnippetStore, ProvenanceAndSongRecordsSurviveReopening) {
  mh::test::TempDir dir;
  {
    auto store = SnippetStore::create(dir / "s", kShape);
    store.append_song(song_record("human song", 0xabcdef), random_snippets(2, kShape, 4), human(Split::kReference));
    store.append_song(song_record("variation"), random_snippets(3, kShape, 5), test::machine("alice", 2, 7));
  }
  const auto store = SnippetStore::open(dir / "s");
  const auto& m = store.manifest();
  ASSERT_EQ(m.songs().size(), 2u);
  const auto& h = m.song(0);
  EXPECT_EQ(h.record.title, "human song");
  EXPECT_EQ(h.record.content_hash, 0xabcdefu);
  EXPECT_EQ(h.provenance.origin, "human");
  EXPECT_EQ(h.provenance.round, -1);
  EXPECT_EQ(h.provenance.split, Split::kReference);

  const auto item = m.item(4);  // the variation's third snippet
  EXPECT_EQ(item.song_id, 1);
  EXPECT_EQ(item.snippet_index, 2);
  EXPECT_DOUBLE_EQ(item.start_s, 4.0);
  const auto& p = item.song->provenance;
  EXPECT_EQ(p.origin, "alice");
  EXPECT_EQ(p.kind, SongKind::kVariation);
  EXPECT_EQ(p.depth, 2);
  EXPECT_EQ(p.round, 7);
  EXPECT_EQ(p.seed, 1234u);
  EXPECT_DOUBLE_EQ(p.variation_sigma, 0.25);
  EXPECT_EQ(item.song->record.source, "variation.wav");
  EXPECT_EQ(m.find_content(0xabcdef), 0);
  EXPECT_EQ(m.find_content(0x12345), -1);
}

TEST(SnippetStore, InconsistentProvenanceIsRefusedAndNothingIsStored) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  auto p = human();
  p.depth = 1;  // a human recording has depth 0
  test::expect_dataset_error([&] { store.append_song(song_record("x"), random_snippets(1, kShape, 6), p); },
                             "disagree");
  auto unnamed = test::machine("bob", 1, 0);
  unnamed.lineage = {{"s/0", "", "imitation", 0.0, ""}};  // a lineage step names its singer
  test::expect_dataset_error(
      [&] { store.append_song(song_record("x"), random_snippets(1, kShape, 6), unnamed); }, "lineage step");
  EXPECT_EQ(store.size(), 0);
  EXPECT_EQ(SnippetStore::open(dir / "s").size(), 0);
}

TEST(SnippetStore, CreatingOverAnExistingStoreIsRefused) {
  mh::test::TempDir dir;
  SnippetStore::create(dir / "s", kShape);
  test::expect_dataset_error([&] { SnippetStore::create(dir / "s", kShape); }, "already holds a snippet store");
}

TEST(SnippetStore, OpeningAFolderWithoutAStoreSaysSo) {
  mh::test::TempDir dir;
  test::expect_dataset_error([&] { SnippetStore::open(dir.path()); }, "no snippet store here");
}

TEST(SnippetStore, OutOfRangeIdsAreRefused) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  store.append_song(song_record("a"), random_snippets(2, kShape, 7), human());
  test::expect_dataset_error([&] { store.read({2}); }, "item id 2 out of range [0, 2)");
  test::expect_dataset_error([&] { store.read({-1}); }, "out of range");
}

TEST(SnippetStore, ItemsOfEachSplitComeFromTheirSongsOnly) {
  mh::test::TempDir dir;
  auto store = SnippetStore::create(dir / "s", kShape);
  store.append_song(song_record("t1"), random_snippets(2, kShape, 8), human(Split::kTrain));
  store.append_song(song_record("r"), random_snippets(3, kShape, 9), human(Split::kReference));
  store.append_song(song_record("t2"), random_snippets(1, kShape, 10), human(Split::kTrain));
  EXPECT_EQ(store.ids(Split::kTrain), (std::vector<int64_t>{0, 1, 5}));
  EXPECT_EQ(store.ids(Split::kReference), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_TRUE(store.ids(Split::kValidation).empty());

  const SplitView train(store, Split::kTrain);
  EXPECT_EQ(train.size(), 3);
  EXPECT_TRUE(torch::equal(train.batch({2}), store.read({5})));
  test::expect_dataset_error([&] { train.batch({3}); }, "snippet index 3 out of range [0, 3)");
}

}  // namespace
}  // namespace mh::corpus
