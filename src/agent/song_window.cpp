#include "agent/song_window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"

namespace mh::agent {

SnippetRange window_snippets(int64_t n_snippets, double snippet_s, double from_s, double to_s) {
  if (n_snippets < 1) throw SettingsError(fmt::format("song window: the song has {} snippets, expected at least 1", n_snippets));
  if (!(snippet_s > 0)) throw SettingsError(fmt::format("song window: snippet length {} s must be > 0", snippet_s));
  if (!(from_s >= 0) || !std::isfinite(from_s)) {
    throw SettingsError(fmt::format("song window: from = {} s is not allowed: must be >= 0", from_s));
  }
  const double song_s = static_cast<double>(n_snippets) * snippet_s;
  if (to_s < 0) {
    if (from_s >= song_s) {
      throw SettingsError(fmt::format("song window: from = {} s is past the song's end ({:.2f} s)", from_s, song_s));
    }
    to_s = song_s;
  } else if (!(to_s > from_s) || !std::isfinite(to_s)) {
    throw SettingsError(fmt::format("song window: to = {} s must be after from = {} s", to_s, from_s));
  }
  const double window_s = to_s - from_s;
  if (song_s <= window_s) return {0, n_snippets};
  if (to_s > song_s) {
    to_s = song_s;
    from_s = song_s - window_s;
  }
  // A tolerance keeps boundaries that are whole snippets in exact arithmetic from gaining one.
  constexpr double kEps = 1e-9;
  int64_t first = static_cast<int64_t>(std::floor(from_s / snippet_s + kEps));
  int64_t last = static_cast<int64_t>(std::ceil(to_s / snippet_s - kEps));
  first = std::clamp<int64_t>(first, 0, n_snippets - 1);
  last = std::clamp<int64_t>(last, first + 1, n_snippets);
  return {first, last};
}

}  // namespace mh::agent
