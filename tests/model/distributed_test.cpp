#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <numeric>
#include <thread>

#include "core/errors.hpp"
#include "model/distributed.hpp"
#include "model/ml2_trainer.hpp"
#include "model/ml1_trainer.hpp"

namespace mh::model {

namespace {

// A port nobody listens on now: bind to port 0, read what the kernel chose, close.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

DistributedOptions loopback(int rank, int world_size, int port) {
  DistributedOptions o;
  o.rank = rank;
  o.world_size = world_size;
  o.master_host = "127.0.0.1";
  o.master_port = port;
  o.timeout = std::chrono::seconds(20);
  return o;
}

// Runs body(rank, group) on `world_size` threads, each rank with its own process group over one
// TCP store, as separate processes would; rethrows the first failure.
void run_ranks(int world_size, const std::function<void(int, DataParallel&)>& body) {
  const int port = free_port();
  ASSERT_GT(port, 0);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(world_size));
  std::vector<std::thread> threads;
  for (int r = 0; r < world_size; ++r) {
    threads.emplace_back([&, r] {
      try {
        DataParallel group(loopback(r, world_size, port), torch::kCPU);
        body(r, group);
        group.barrier();
      } catch (...) {
        errors[static_cast<size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> v(static_cast<size_t>(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

// Songs of one length, so that a song-count weighting of the ranks' gradients is exact.
SongOrders equal_length_paths(int64_t n, int64_t length) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  SongOrders s;
  s.ml1_version = "ml1-test";
  const auto u = torch::rand({n, 2}, gen);
  const auto t = torch::arange(length, torch::kFloat32).unsqueeze(1);
  const auto shift = torch::arange(6, torch::kFloat32).unsqueeze(0) * 0.7;
  for (int64_t i = 0; i < n; ++i) {
    const double omega = 0.2 + 0.3 * u[i][0].item<double>();
    const double phase = 6.0 * u[i][1].item<double>();
    s.orders.push_back((torch::sin(t * omega + phase + shift) + 1.0).contiguous());
    s.song_ids.push_back("song" + std::to_string(i));
  }
  return s;
}

Ml2Settings dense_settings() {
  Ml2Settings s;
  s.preset = "dense";
  s.latent_dim = 4;
  s.max_length = 12;
  s.batch_size = 3;  // 7 songs: batches of 3, 3 and 1, so rank 0's last part is empty
  s.learning_rate = 5e-3;
  s.epochs = 3;
  s.seed = 7;
  return s;
}

void expect_same_parameters(torch::nn::Module& a, torch::nn::Module& b, double tol) {
  const auto pa = a.named_parameters();
  const auto pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& p : pa) EXPECT_TRUE(torch::allclose(p.value(), pb[p.key()], tol, tol)) << p.key();
}

}  // namespace

TEST(ShardRange, SplitsABatchIntoContiguousNearEqualPartsThatCoverItInRankOrder) {
  EXPECT_EQ(shard_range(8, 0, 2), (std::pair<int64_t, int64_t>{0, 4}));
  EXPECT_EQ(shard_range(8, 1, 2), (std::pair<int64_t, int64_t>{4, 8}));
  EXPECT_EQ(shard_range(1, 0, 2), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(shard_range(1, 1, 2), (std::pair<int64_t, int64_t>{0, 1}));
  for (int64_t n : {0, 1, 5, 7, 16}) {
    for (int64_t w : {1, 2, 3, 5}) {
      int64_t next = 0;
      for (int64_t r = 0; r < w; ++r) {
        const auto [first, last] = shard_range(n, r, w);
        EXPECT_EQ(first, next);
        EXPECT_LE(last - first, (n + w - 1) / w);
        EXPECT_GE(last - first, n / w);
        next = last;
      }
      EXPECT_EQ(next, n);
    }
  }
}

TEST(DistributedOptions, ParsesHostAndPortAndRefusesAnythingElseNamingTheValue) {
  DistributedOptions o;
  parse_master_address("node1.example:29400", o);
  EXPECT_EQ(o.master_host, "node1.example");
  EXPECT_EQ(o.master_port, 29400);
  parse_master_address("[fd00::1]:1234", o);
  EXPECT_EQ(o.master_host, "fd00::1");
  EXPECT_EQ(o.master_port, 1234);
  for (const std::string bad : {"node1", ":29400", "node1:", "node1:0", "node1:70000", "node1:29x"}) {
    try {
      parse_master_address(bad, o);
      ADD_FAILURE() << bad;
    } catch (const SettingsError& e) {
      EXPECT_NE(std::string(e.what()).find("'" + bad + "'"), std::string::npos) << e.what();
    }
  }
  o = DistributedOptions{};
  o.world_size = 2;
  o.rank = 2;
  EXPECT_THROW(o.validate(), SettingsError);
}

TEST(DataParallel, BroadcastGivesEveryRankTheParametersOfRankZero) {
  if (!distributed_available()) GTEST_SKIP() << "built without the Gloo headers";
  std::vector<torch::nn::Linear> models;
  for (int r = 0; r < 2; ++r) {
    torch::manual_seed(100 + r);
    models.emplace_back(torch::nn::LinearOptions(5, 3));
  }
  ASSERT_FALSE(torch::allclose(models[0]->weight, models[1]->weight));
  const auto expected = models[0]->weight.clone();
  run_ranks(2, [&](int rank, DataParallel& group) { group.broadcast_parameters(*models[static_cast<size_t>(rank)]); });
  EXPECT_TRUE(torch::equal(models[0]->weight, expected));
  EXPECT_TRUE(torch::equal(models[1]->weight, expected));
  EXPECT_TRUE(torch::equal(models[1]->bias, models[0]->bias));
}

TEST(DataParallel, TwoRanksTrainMl2ToTheWeightsOfOneProcessOverTheCombinedBatch) {
  if (!distributed_available()) GTEST_SKIP() << "built without the Gloo headers";
  const auto data = equal_length_paths(9, 12);
  const auto train = range(0, 7), val = range(7, 9);
  Ml2Trainer single(dense_settings(), 6, torch::kCPU);
  single.train(data, train, val);

  std::vector<std::unique_ptr<Ml2Trainer>> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(std::make_unique<Ml2Trainer>(dense_settings(), 6, torch::kCPU));
  run_ranks(2, [&](int rank, DataParallel& group) {
    auto& trainer = *ranks[static_cast<size_t>(rank)];
    Ml2TrainerCallbacks callbacks;
    callbacks.sync = &group;
    trainer.train(data, train, val, callbacks);
  });
  for (auto& r : ranks) {
    EXPECT_EQ(r->epochs_done(), 3);
    expect_same_parameters(r->model().net(), single.model().net(), 1e-5);
  }
  // The weights moved: the comparison above is not between two untrained models.
  Ml2Trainer untrained(dense_settings(), 6, torch::kCPU);
  const auto moved = (single.model().net().parameters()[0] - untrained.model().net().parameters()[0]).abs().max();
  EXPECT_GT(moved.item<double>(), 1e-3);
}

TEST(DataParallel, Ml1RanksTakeIdenticalStepsAndRankZerosCheckpointResumes) {
  if (!distributed_available()) GTEST_SKIP() << "built without the Gloo headers";
  auto o = ConvVaeOptions::fast(32, 16);
  o.filters = {4, 8};
  o.kernels = {{3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}};
  o.latent_dim = 4;
  Ml1Settings s;
  s.batch_size = 5;  // 6 snippets: batches of 5 and 1, so rank 0's last part is empty
  s.epochs = 2;
  s.learning_rate = 5e-3;
  s.seed = 3;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
  InMemorySnippetSource data(torch::rand({6, 1, 32, 16}, gen));
  std::vector<std::unique_ptr<Ml1Trainer>> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(std::make_unique<Ml1Trainer>(s, o, torch::kCPU));
  std::string checkpoint;
  run_ranks(2, [&](int rank, DataParallel& group) {
    auto& trainer = *ranks[static_cast<size_t>(rank)];
    TrainerCallbacks callbacks;
    callbacks.sync = &group;
    if (group.is_main()) callbacks.epoch_end = [&](const EpochRecord&, const std::string& c) { checkpoint = c; };
    trainer.train(data, range(0, 6), {}, callbacks);
  });
  // BatchNorm statistics are per rank (as without synchronised batch norm); the parameters,
  // which every rank updates with the same averaged gradients, are identical.
  expect_same_parameters(*ranks[0]->model(), *ranks[1]->model(), 1e-6);
  ASSERT_FALSE(checkpoint.empty());
  auto resumed = Ml1Trainer::resume(checkpoint, torch::kCPU);
  EXPECT_EQ(resumed.epochs_done(), 2);
  expect_same_parameters(*resumed.model(), *ranks[0]->model(), 0);
}

TEST(DataParallel, RendezvousThatNobodyJoinsFailsWithATimeoutInsteadOfHanging) {
  if (!distributed_available()) GTEST_SKIP() << "built without the Gloo headers";
  auto o = loopback(1, 2, free_port());
  o.timeout = std::chrono::seconds(1);
  EXPECT_THROW(DataParallel(o, torch::kCPU), IoError);
}

}  // namespace mh::model
