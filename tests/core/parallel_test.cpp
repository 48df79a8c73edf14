#include "core/parallel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <vector>

namespace mh {
namespace {

TEST(IntraOpWorkers, OnePerThreadButNoneWithFewerItemsThanTheMinimum) {
  const int64_t threads = std::max(at::get_num_threads(), 1);
  EXPECT_EQ(intra_op_workers(0), 1);
  EXPECT_EQ(intra_op_workers(1), 1);
  EXPECT_EQ(intra_op_workers(1000), std::min<int64_t>(threads, 1000));
  EXPECT_EQ(intra_op_workers(31, 16), 1);
  EXPECT_EQ(intra_op_workers(16 * threads, 16), threads);
  EXPECT_EQ(intra_op_workers(16 * threads + 15, 16), threads);
}

TEST(RunShares, CoversEveryIndexOnceInContiguousShares) {
  for (const int64_t total : {0, 1, 7, 1000}) {
    for (const int64_t workers : {1, 2, 3, 16}) {
      std::vector<std::atomic<int>> seen(static_cast<size_t>(total));
      std::atomic<int> calls{0};
      run_shares(total, workers, [&](int64_t, int64_t begin, int64_t end) {
        ++calls;
        EXPECT_LE(begin, end);
        for (int64_t i = begin; i < end; ++i) ++seen[static_cast<size_t>(i)];
      });
      for (const auto& s : seen) EXPECT_EQ(s.load(), 1) << "total " << total << ", workers " << workers;
      // Never more workers than items (and at least one call, even for nothing).
      EXPECT_EQ(calls.load(), std::clamp<int64_t>(workers, 1, std::max<int64_t>(total, 1)));
    }
  }
}

TEST(RunShares, RethrowsAWorkersExceptionAfterAllHaveFinished) {
  std::atomic<int> finished{0};
  EXPECT_THROW(run_shares(4, 4,
                          [&](int64_t worker, int64_t, int64_t) {
                            if (worker == 2) throw std::runtime_error("share 2 failed");
                            ++finished;
                          }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 3);
}

}  // namespace
}  // namespace mh
