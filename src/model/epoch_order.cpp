#include "model/epoch_order.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/errors.hpp"

namespace mh::model {

torch::Tensor epoch_order(int64_t n, const std::vector<std::uint8_t>& strata, torch::Generator& gen) {
  if (strata.empty()) return torch::randperm(n, gen, torch::dtype(torch::kInt64));
  if (static_cast<int64_t>(strata.size()) != n) {
    throw ShapeError(fmt::format("{} strata for {} training snippets", strata.size(), n));
  }
  std::vector<int64_t> pools[2];
  for (int64_t i = 0; i < n; ++i) pools[strata[static_cast<size_t>(i)] != 0].push_back(i);
  std::vector<int64_t> shuffled[2];
  for (int k = 0; k < 2; ++k) {
    const auto perm = torch::randperm(static_cast<int64_t>(pools[k].size()), gen, torch::dtype(torch::kInt64));
    for (int64_t j = 0; j < perm.numel(); ++j) shuffled[k].push_back(pools[k][static_cast<size_t>(perm[j].item<int64_t>())]);
  }
  // Every prefix holds round(share · length) items of stratum 1, so every batch holds the share.
  const double share = static_cast<double>(shuffled[1].size()) / static_cast<double>(n);
  auto out = torch::empty({n}, torch::kInt64);
  auto* o = out.data_ptr<int64_t>();
  size_t taken[2] = {0, 0};
  for (int64_t k = 0; k < n; ++k) {
    const auto want = static_cast<size_t>(std::llround(share * static_cast<double>(k + 1)));
    const int pick = (taken[1] < want && taken[1] < shuffled[1].size()) || taken[0] >= shuffled[0].size() ? 1 : 0;
    o[k] = shuffled[pick][taken[pick]++];
  }
  return out;
}

}  // namespace mh::model
