#include <gtest/gtest.h>

#include "agent/agent.hpp"
#include "agent_test_util.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "model/song_order_bytes.hpp"

namespace mh {
namespace {

namespace fs = std::filesystem;
using test::TinyAgents;

TEST(SongOrders, HoldEverySongInIdOrderAsTheMl1MeansOfItsSnippets) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml1(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  const auto orders = a.song_orders();
  const auto& songs = a.dataset().manifest().songs();
  ASSERT_EQ(orders.size(), static_cast<int64_t>(songs.size()));
  EXPECT_EQ(orders.ml1_version, a.ml1_version());
  for (const auto& song : songs) {
    const auto& order = orders.orders[static_cast<size_t>(song.id)];
    EXPECT_EQ(orders.song_ids[static_cast<size_t>(song.id)], std::to_string(song.id));
    ASSERT_EQ(order.sizes(), (std::vector<int64_t>{song.n_snippets(), 8}));
    // Batching several songs together must give what encoding the song alone gives.
    const auto alone = a.encode(a.dataset().read_song(song.id).squeeze(1));
    EXPECT_TRUE(torch::allclose(order, alone, 1e-4, 1e-5)) << "song " << song.id;
  }
  EXPECT_TRUE(torch::equal(a.song_order(2), orders.orders[2]));
  EXPECT_THROW(a.song_order(static_cast<int64_t>(songs.size())), DatasetError);
}

TEST(SongOrders, AreReadFromTheCacheUntilMl1ChangesThenRecomputed) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml1(), dir / "a");
  std::string first_bytes;
  torch::Tensor first_order;
  {
    auto a = agent::Agent::open(dir / "a");
    first_order = a.song_order(0);
    first_bytes = read_file(a.orders_path());
  }
  {
    // A cache that is valid is used as it is: a marker written into it comes back.
    auto a = agent::Agent::open(dir / "a");
    auto orders = a.song_orders();
    orders.orders[0] = torch::full_like(orders.orders[0], 7.0f);
    write_file_atomic(a.orders_path(), model::save_song_orders(orders));
  }
  {
    auto a = agent::Agent::open(dir / "a");
    EXPECT_EQ(a.song_order(0)[0][0].item<float>(), 7.0f);
    const auto old_version = a.ml1_version();
    agent::TrainOptions retrain;
    retrain.seed = 5;
    a.train_ml1(retrain);
    ASSERT_NE(a.ml1_version(), old_version);
    const auto orders = a.song_orders();
    EXPECT_EQ(orders.ml1_version, a.ml1_version());
    EXPECT_NE(orders.orders[0][0][0].item<float>(), 7.0f);
    EXPECT_FALSE(torch::allclose(orders.orders[0], first_order));
    EXPECT_EQ(model::load_song_orders(read_file(a.orders_path())).ml1_version, a.ml1_version());
  }
}

TEST(SongOrders, AreExtendedWhenSongsAreAddedKeepingTheStoredOnes) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml1(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  const auto before = a.song_orders();
  test::write_tone(dir / "new.wav", 1.5, 500.0);
  a.ingest({dir / "new.wav"});
  const auto after = a.song_orders();
  ASSERT_EQ(after.size(), before.size() + 1);
  for (int64_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(after.orders[i], before.orders[i]));
  EXPECT_EQ(after.orders.back().size(0), a.dataset().manifest().songs().back().n_snippets());
  EXPECT_EQ(model::load_song_orders(read_file(a.orders_path())).size(), after.size());
}

TEST(SongOrders, ACorruptOrdersFileIsRefusedNamingItAndHowToRecover) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml1(), dir / "a");
  {
    auto a = agent::Agent::open(dir / "a");
    a.song_orders();
  }
  test::flip_byte(dir / "a" / "orders.bin");
  auto a = agent::Agent::open(dir / "a");
  try {
    a.song_orders();
    FAIL() << "a corrupt orders.bin was accepted";
  } catch (const DatasetError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("orders.bin"), std::string::npos) << what;
    EXPECT_NE(what.find("delete"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  fs::remove(dir / "a" / "orders.bin");
  EXPECT_EQ(a.song_orders().size(), static_cast<int64_t>(a.dataset().manifest().songs().size()));
}

TEST(SongOrders, NeedATrainedMl1) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ingested(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  EXPECT_THROW(a.song_orders(), CheckpointError);
}

}  // namespace
}  // namespace mh
