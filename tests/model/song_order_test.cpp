#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "model/song_order.hpp"
#include "model/song_order_bytes.hpp"

namespace mh::model {

namespace {

SongOrders three_songs() {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  SongOrders s;
  s.ml1_version = "ml1-epoch-30";
  s.song_ids = {"a.wav", "b.wav", "c.wav"};
  s.orders = {torch::randn({4, 6}, gen), torch::randn({1, 6}, gen) * 3 + 1, torch::randn({9, 6}, gen)};
  return s;
}

void expect_dataset_error(std::string_view bytes, const std::string& fragment) {
  try {
    load_song_orders(bytes, "agent/orders.bin");
    FAIL() << "expected DatasetError containing '" << fragment << "'";
  } catch (const DatasetError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("agent/orders.bin: "), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
}

}  // namespace

TEST(OrderStats, AreThePerCoordinateMeanAndStdOverAllSnippetsAndTheLengthRange) {
  const auto songs = three_songs();
  const auto s = OrderStats::compute(songs.orders);
  const auto all = torch::cat(songs.orders);
  EXPECT_TRUE(torch::allclose(s.mean, all.mean(0), 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(s.std, all.std(0, false), 1e-5, 1e-6));
  EXPECT_EQ(s.min_length, 1);
  EXPECT_EQ(s.max_length, 9);
}

TEST(OrderStats, OfASingleOneStepSongHaveAFlooredStdAndNormaliseToZero) {
  const auto one = torch::full({1, 4}, 2.5f);
  const auto s = OrderStats::compute({one});
  EXPECT_TRUE(torch::all(s.std >= OrderStats::kMinStd).item<bool>());
  EXPECT_TRUE(torch::equal(normalise(one, s), torch::zeros({1, 4})));
  EXPECT_TRUE(torch::allclose(denormalise(normalise(one, s), s), one));
}

TEST(OrderStats, NormaliseAndDenormaliseAreInverse) {
  const auto songs = three_songs();
  const auto s = OrderStats::compute(songs.orders);
  const auto x = normalise(songs.orders[2], s);
  EXPECT_TRUE(torch::allclose(denormalise(x, s), songs.orders[2], 1e-5, 1e-5));
  EXPECT_THROW(normalise(torch::zeros({3, 5}), s), ShapeError);
  EXPECT_THROW(OrderStats::compute({}), ShapeError);
  EXPECT_THROW(OrderStats::compute({torch::zeros({0, 6})}), ShapeError);
}

TEST(PadOrders, ZeroPadsNormalisedOrdersAndMarksTheRealSteps) {
  const auto songs = three_songs();
  const auto s = OrderStats::compute(songs.orders);
  const auto b = pad_orders(songs.orders, s);
  ASSERT_EQ(b.x.sizes(), (std::vector<int64_t>{3, 9, 6}));
  EXPECT_TRUE(torch::equal(b.lengths, torch::tensor({4, 1, 9}, torch::kInt64)));
  EXPECT_EQ(b.mask.sum().item<int64_t>(), 14);
  EXPECT_TRUE(b.mask[0][3].item<bool>());
  EXPECT_FALSE(b.mask[0][4].item<bool>());
  EXPECT_TRUE(torch::equal(b.x[0].narrow(0, 0, 4), normalise(songs.orders[0], s)));
  EXPECT_EQ(b.x[1].narrow(0, 1, 8).abs().sum().item<float>(), 0.0f);

  const auto wider = pad_orders(songs.orders, s, 20);
  EXPECT_EQ(wider.steps(), 20);
  EXPECT_TRUE(torch::equal(wider.x.narrow(1, 0, 9), b.x));
  EXPECT_THROW(pad_orders(songs.orders, s, 5), ShapeError);
  EXPECT_THROW(pad_orders({}, s), ShapeError);
  EXPECT_THROW(pad_orders({torch::zeros({3, 2})}, s), ShapeError);
}

TEST(SongOrderBytes, SaveThenLoadGivesTheSameSongsBitForBit) {
  const auto songs = three_songs();
  const auto back = load_song_orders(save_song_orders(songs));
  EXPECT_EQ(back.ml1_version, songs.ml1_version);
  EXPECT_EQ(back.song_ids, songs.song_ids);
  ASSERT_EQ(back.size(), 3);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(torch::equal(back.orders[i], songs.orders[i])) << i;
  EXPECT_EQ(back.orders[1].size(0), 1);
}

TEST(SongOrderBytes, AnEmptySetOfSongsRoundTrips) {
  SongOrders none;
  none.ml1_version = "v";
  const auto back = load_song_orders(save_song_orders(none));
  EXPECT_EQ(back.size(), 0);
  EXPECT_EQ(back.ml1_version, "v");
}

TEST(SongOrderBytes, CorruptTruncatedOrForeignBytesAreRefusedOnOneLine) {
  const auto bytes = save_song_orders(three_songs());
  auto flipped = bytes;
  flipped[flipped.size() - 7] ^= 0x10;
  expect_dataset_error(flipped, "checksum");
  expect_dataset_error(bytes.substr(0, bytes.size() - 4), "truncated");
  expect_dataset_error(bytes.substr(0, 20), "truncated");
  expect_dataset_error(bytes + "x", "unexpected bytes");
  expect_dataset_error("RIFF....WAVEfmt ", "not a Meta Human");
  expect_dataset_error("", "not a Meta Human");
}

TEST(SongOrders, InconsistentSetsAreRefusedByName) {
  auto songs = three_songs();
  songs.song_ids[2] = "a.wav";
  EXPECT_THROW(save_song_orders(songs), DatasetError);
  songs = three_songs();
  songs.orders[1] = torch::zeros({2, 5});
  EXPECT_THROW(save_song_orders(songs), DatasetError);
  songs = three_songs();
  songs.orders[0][1][1] = std::numeric_limits<float>::quiet_NaN();
  try {
    songs.validate();
    FAIL() << "expected DatasetError";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("a.wav"), std::string::npos) << e.what();
  }
  songs = three_songs();
  songs.song_ids.pop_back();
  EXPECT_THROW(songs.validate(), DatasetError);
}

}  // namespace mh::model
