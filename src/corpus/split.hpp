#pragma once
/// The split of human recordings into train / validation / reference, by song: all snippets of a
/// song share its split, so no song is on both sides. The rule is seeded and depends only on each
/// song's key (its content hash), never on file names or the order files are listed in.
#include <cstdint>
#include <vector>

#include "corpus/manifest.hpp"

namespace mh::corpus {

struct SplitSettings {
  double validation_fraction = 0.1;  ///< share of human songs held out for validation, [0, 0.5]
  double reference_fraction = 0.1;   ///< share held out as the conversation's reference, [0, 0.5]
  std::uint64_t seed = 0;            ///< changes which songs are held out

  /// Throws SettingsError naming the field, the value and the allowed range (also when the two
  /// fractions add up to more than 0.8).
  void validate() const;
};

/// Human songs already stored on each side.
struct SplitCounts {
  int64_t train = 0;
  int64_t validation = 0;
  int64_t reference = 0;
  int64_t total() const { return train + validation + reference; }
};

/// Counts the stored human songs (kind human) on each side.
SplitCounts human_split_counts(const Manifest& manifest);

/// Splits for new human songs with keys `keys`, given the songs already stored: the aim is
/// round(fraction · all songs) on each held-out side (at least one when the fraction is > 0),
/// met by the new songs only (stored songs never move), always leaving at least one song to
/// train on. The new songs ranked by a seeded hash of their key fill reference first, then
/// validation, the rest train. Same keys, counts and settings ⇒ same result.
std::vector<Split> assign_splits(const std::vector<std::uint64_t>& keys, const SplitCounts& existing,
                                 const SplitSettings& settings);

}  // namespace mh::corpus
