#pragma once
/// The machine chooses the corpus: from one start song given by a human, a walk through a
/// library of audio in which each next song is drawn among the nearest songs not yet taken, as a
/// recommender's "next" would (docs/crawl.md). The chosen songs are written to a folder as links
/// or copies, with `crawl.jsonl`: every step's candidates, their distances and the choice.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::corpus {

struct CrawlSettings {
  int64_t songs = 16;         ///< stop after this many songs (the start included), [1, 1000000]
  double minutes = 0;         ///< also stop once the chosen songs last this long; 0: no limit, [0, 1000000]
  int neighbours = 3;         ///< each next song is drawn among this many nearest not yet taken, [1, 1000]
  std::uint64_t seed = 0;     ///< the same seed gives the same chain
  double head_seconds = 60;   ///< seconds from each song's start that its features are made of, [1, 3600]
  bool copy = false;          ///< copy the chosen files instead of linking to them
  double colour_weight = 4;   ///< how much more the colour (mean log-mel) counts than the notes or the pulse, [0, 100]

  /// Throws SettingsError naming the field ("crawl.<name>"), the value and the allowed range.
  void validate() const;
};

const std::vector<Field<CrawlSettings>>& crawl_fields();

/// One step of a walk, songs by index.
struct WalkStep {
  int64_t from = -1;                ///< the song the step starts from (the last one chosen)
  std::vector<int64_t> candidates;  ///< the nearest songs not yet taken, nearest first
  std::vector<double> distances;    ///< their distances from `from`
  int64_t choice = -1;              ///< the one drawn among the candidates
};

struct Walk {
  std::vector<int64_t> chosen;  ///< the start first, then each step's choice
  std::vector<WalkStep> steps;
  std::string stop;             ///< "songs", "minutes" or "library" (every song taken)
  double seconds = 0;           ///< the chosen songs' total length
};

/// The seeded walk. points: float64 [songs, dims] (normalised features: Euclidean distance),
/// durations_s: each song's length. From `start`, while fewer than settings.songs are chosen and
/// (with a limit) they last less than settings.minutes, the next song is drawn uniformly among
/// the settings.neighbours nearest to the last chosen one that are not yet taken (ties: lower
/// index first). The song that reaches the minutes is kept. Throws ShapeError when the shapes
/// disagree, SettingsError for bad settings or a start outside [0, songs).
Walk walk_library(const torch::Tensor& points, const std::vector<double>& durations_s, int64_t start,
                  const CrawlSettings& settings);

/// A library file left out of the crawl, with the reason (the decoder's message).
struct SkippedFile {
  std::filesystem::path path;
  std::string reason;
};

struct CrawlResult {
  std::vector<std::filesystem::path> library_files;  ///< the chosen songs in the library, in order
  std::vector<std::filesystem::path> written;        ///< their links or copies in the output folder
  std::vector<SkippedFile> skipped;
  Walk walk;                                          ///< indices into `songs`
  std::vector<std::filesystem::path> songs;           ///< every readable library file, by path
  std::filesystem::path log;                          ///< the crawl.jsonl written
};

/// Called after each library file is read, with the number read and the number in all.
using CrawlProgress = std::function<void(const std::filesystem::path&, std::size_t done, std::size_t total)>;

/// Crawls `library` (every audio file below it, list_audio_files' order) from `start`, which
/// must be one of its files, and writes the chosen songs (links to the library's files, or
/// copies) and crawl.jsonl into `out`. `out` is built beside itself and renamed into place, so
/// it is either complete or absent. Each song's features come from its first head_seconds
/// (dsp/song_features.hpp). Unreadable and silent files are skipped and listed in the result and
/// the log. Throws InputError when the library is missing or holds no audio file, when start is
/// missing, not in the library or unreadable; IoError when `out` exists and is not an empty
/// folder, or cannot be written; SettingsError for bad settings.
CrawlResult crawl(const std::filesystem::path& library, const std::filesystem::path& start,
                  const std::filesystem::path& out, const CrawlSettings& settings,
                  const CrawlProgress& progress = {});

}  // namespace mh::corpus
