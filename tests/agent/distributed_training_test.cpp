#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "agent/agent.hpp"
#include "agent_test_util.hpp"
#include "model/distributed.hpp"

namespace mh {
namespace {

namespace fs = std::filesystem;
using test::TinyAgents;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Two ranks, each with its own copy of `prepared` (as on two machines), train through `train`.
std::vector<agent::TrainOutcome> train_two_ranks(const fs::path& prepared, const test::TempDir& dir,
                                                 agent::TrainOutcome (agent::Agent::*train)(const agent::TrainOptions&)) {
  const int port = free_port();
  std::vector<agent::TrainOutcome> outcomes(2);
  std::vector<std::exception_ptr> errors(2);
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    test::copy_agent(prepared, dir / ("rank" + std::to_string(r)));
    threads.emplace_back([&, r] {
      try {
        auto a = agent::Agent::open(dir / ("rank" + std::to_string(r)));
        model::DistributedOptions d;
        d.world_size = 2;
        d.rank = r;
        d.master_port = port;
        d.timeout = std::chrono::seconds(60);
        model::DataParallel group(d, torch::kCPU);
        agent::TrainOptions options;
        options.sync = &group;
        outcomes[static_cast<size_t>(r)] = (a.*train)(options);
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
  return outcomes;
}

}  // namespace

TEST(DistributedTraining, BothRanksTrainMl1AndOnlyRankZeroWritesTheCheckpointAndHistory) {
  if (!model::distributed_available()) GTEST_SKIP() << "built without the Gloo headers";
  test::TempDir dir;
  const auto outcomes = train_two_ranks(TinyAgents::get().ingested(), dir, &agent::Agent::train_ml1);
  EXPECT_EQ(outcomes[0].epochs_done, outcomes[1].epochs_done);
  EXPECT_GT(outcomes[0].epochs_done, 0);
  EXPECT_TRUE(fs::exists(dir / "rank0" / "ml1.ckpt"));
  EXPECT_TRUE(fs::exists(dir / "rank0" / "ml1_history.jsonl"));
  EXPECT_FALSE(fs::exists(dir / "rank1" / "ml1.ckpt"));
  EXPECT_FALSE(fs::exists(dir / "rank1" / "ml1_history.jsonl"));
  EXPECT_TRUE(agent::Agent::open(dir / "rank0").has_ml1());
}

TEST(DistributedTraining, BothRanksTrainMl2AndOnlyRankZeroWritesIt) {
  if (!model::distributed_available()) GTEST_SKIP() << "built without the Gloo headers";
  test::TempDir dir;
  const auto outcomes = train_two_ranks(TinyAgents::get().ml1(), dir, &agent::Agent::train_ml2);
  EXPECT_EQ(outcomes[0].epochs_done, outcomes[1].epochs_done);
  EXPECT_TRUE(std::isfinite(outcomes[0].val_reconstruction));
  EXPECT_TRUE(fs::exists(dir / "rank0" / "ml2.ckpt"));
  EXPECT_FALSE(fs::exists(dir / "rank1" / "ml2.ckpt"));
}

}  // namespace mh
