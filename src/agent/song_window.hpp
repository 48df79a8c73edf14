#pragma once
/// Which snippets of a stored song an excerpt sings (the original sang 20–40 s excerpts of the
/// human songs it learned).
#include <cstdint>

namespace mh::agent {

/// Snippets [first, last) of a song.
struct SnippetRange {
  int64_t first = 0, last = 0;
  int64_t size() const { return last - first; }
};

/// The snippets of a song of `n_snippets` snippets of `snippet_s` seconds that the window
/// [from_s, to_s) covers (to_s < 0: up to the song's end), widened to whole snippets. A song no
/// longer than the window is sung whole; a window running past the song's end is moved back so
/// that it ends with the song and keeps its length. Throws SettingsError for from_s < 0,
/// to_s ≥ 0 not after from_s, from_s at or past the end (with to_s < 0), n_snippets < 1 or
/// snippet_s ≤ 0.
SnippetRange window_snippets(int64_t n_snippets, double snippet_s, double from_s, double to_s);

}  // namespace mh::agent
