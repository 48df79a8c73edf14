#include "corpus/split.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::corpus {
namespace {

// splitmix64's finaliser: spreads nearby keys and seeds over the whole 64-bit range.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int64_t wanted(double fraction, int64_t total) {
  if (fraction <= 0 || total <= 0) return 0;
  return std::max<int64_t>(1, std::llround(fraction * static_cast<double>(total)));
}

}  // namespace

void SplitSettings::validate() const {
  check_range("split.validation_fraction", validation_fraction, 0.0, 0.5);
  check_range("split.reference_fraction", reference_fraction, 0.0, 0.5);
  if (validation_fraction + reference_fraction > 0.8) {
    throw SettingsError(fmt::format("split.validation_fraction + split.reference_fraction = {} is out of range: "
                                    "allowed at most 0.8",
                                    validation_fraction + reference_fraction));
  }
}

SplitCounts human_split_counts(const Manifest& manifest) {
  SplitCounts c;
  for (const auto& s : manifest.songs()) {
    if (s.provenance.kind != SongKind::kHuman) continue;
    switch (s.provenance.split) {
      case Split::kTrain: ++c.train; break;
      case Split::kValidation: ++c.validation; break;
      case Split::kReference: ++c.reference; break;
    }
  }
  return c;
}

std::vector<Split> assign_splits(const std::vector<std::uint64_t>& keys, const SplitCounts& existing,
                                 const SplitSettings& settings) {
  settings.validate();
  const auto n_new = static_cast<int64_t>(keys.size());
  const int64_t total = existing.total() + n_new;
  int64_t n_ref = std::clamp<int64_t>(wanted(settings.reference_fraction, total) - existing.reference, 0, n_new);
  int64_t n_val =
      std::clamp<int64_t>(wanted(settings.validation_fraction, total) - existing.validation, 0, n_new - n_ref);
  // Something must be left to learn from: give up validation before reference, which the
  // conversation's measures need.
  while (existing.train + (n_new - n_ref - n_val) < 1 && n_val + n_ref > 0) {
    if (n_val > 0) {
      --n_val;
    } else {
      --n_ref;
    }
  }
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::uint64_t salt = mix(settings.seed);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto ka = mix(keys[a] ^ salt);
    const auto kb = mix(keys[b] ^ salt);
    return ka != kb ? ka < kb : keys[a] < keys[b];
  });
  std::vector<Split> out(keys.size(), Split::kTrain);
  for (int64_t rank = 0; rank < n_ref + n_val; ++rank) {
    out[order[static_cast<std::size_t>(rank)]] = rank < n_ref ? Split::kReference : Split::kValidation;
  }
  return out;
}

}  // namespace mh::corpus
