#pragma once
/// Ingest: human recordings → normalised log-mel snippets in an agent's store, with provenance
/// "human", depth 0, round -1, split by song. One ingest is one transaction: a killed or failed
/// ingest leaves the store as it was.
#include <filesystem>
#include <functional>
#include <vector>

#include "corpus/ingest_report.hpp"
#include "corpus/snippet_store.hpp"
#include "corpus/split.hpp"
#include "dsp/hpss.hpp"
#include "dsp/mel_settings.hpp"

namespace mh::corpus {

struct IngestSettings {
  dsp::Stem stem = dsp::Stem::kAll;  ///< which part of each recording is learnt from
  int hpss_kernel = 31;              ///< median window of the stem separation (frames and bins), odd, [1, 1023]
  double max_seconds = 3 * 3600.0;   ///< longer files are refused as unreadable, (0, 86400]
  double min_seconds = 0.1;          ///< less non-silent audio than this is refused as too short, [0, 60]
  int64_t mel_batch = 64;            ///< snippets per mel computation (bounds memory), [1, 4096]
  SplitSettings split;

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// Called after each file is decided, with its line of the report, the files decided so far and
/// the number of files in all.
using IngestProgress = std::function<void(const FileReport&, std::size_t done, std::size_t total)>;

/// Ingests every file and folder in `files_or_folders` (folders recursively; files in a folder
/// whose names are not audio files' are reported and skipped). Each song: content hash of its
/// bytes (duplicates refused) → decoded and resampled to front.mel.sample_rate_hz → stem →
/// silence removal → snippets (the last one zero-padded; a song shorter than a snippet gives one
/// padded snippet) → normalised mel → appended. Splits are assigned by song from the content
/// hashes before decoding (see assign_splits), so a refused file leaves its slot unused.
///
/// Per-file problems never throw: they are lines of the report. Throws SettingsError for bad
/// settings, DatasetError when the store's snippet shape differs from the front end's or another
/// append is in progress, IoError when the store cannot be written (nothing is then committed).
IngestReport ingest(SnippetStore& store, const std::vector<std::filesystem::path>& files_or_folders,
                    const dsp::FrontEndSettings& front, const IngestSettings& settings,
                    const IngestProgress& progress = {});

/// FNV-1a 64 of a file's bytes, read in blocks (equal to mh::fnv1a64 of the whole file).
/// Throws InputError naming the file when it cannot be read.
std::uint64_t file_content_hash(const std::filesystem::path& path);

}  // namespace mh::corpus
