#pragma once
/// Plain-thread data parallelism for loops that call no LibTorch operator. LibTorch's OpenMP
/// workers spin for a while after every parallel operator; a loop run on them (or beside them)
/// competes with that spinning for the cores, so short arithmetic loops run here instead: one
/// contiguous share per worker, joined (sleeping) at the end.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace mh {

/// Workers for `total` items: one per LibTorch intra-op thread, but none with fewer than
/// `min_per_worker` items (starting a thread costs more than a few), and at least one.
inline int64_t intra_op_workers(int64_t total, int64_t min_per_worker = 1) {
  return std::clamp<int64_t>(total / std::max<int64_t>(min_per_worker, 1), 1, std::max(at::get_num_threads(), 1));
}

/// Calls body(worker, begin, end) for `workers` contiguous shares of [0, total), the first on the
/// calling thread; rethrows the first exception a share threw, after all have finished.
template <typename Body>
void run_shares(int64_t total, int64_t workers, Body&& body) {
  workers = std::clamp<int64_t>(workers, 1, std::max<int64_t>(total, 1));
  std::vector<std::exception_ptr> failures(static_cast<size_t>(workers));
  auto share = [&](int64_t w) {
    try {
      body(w, total * w / workers, total * (w + 1) / workers);
    } catch (...) {
      failures[static_cast<size_t>(w)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int64_t w = 1; w < workers; ++w) pool.emplace_back(share, w);
  share(0);
  for (auto& t : pool) t.join();
  for (const auto& f : failures) {
    if (f) std::rethrow_exception(f);
  }
}

}  // namespace mh
