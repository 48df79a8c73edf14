#pragma once
/// What an ingest did with every file it was given: taken, or refused with the reason. Nothing
/// is skipped without a line here.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mh::corpus {

enum class FileStatus {
  kTaken,        ///< decoded, cut and stored
  kDuplicate,    ///< same bytes as a stored song or an earlier file of this ingest
  kUnreadable,   ///< could not be read or decoded (the decoder's message says why)
  kSilent,       ///< nothing above the silence threshold
  kTooShort,     ///< less audio above the silence threshold than IngestSettings::min_seconds
  kNotAudio,     ///< in a folder, with a name that is not an audio file's
  kHidden,       ///< in a folder, a name starting with '.'
  kMissing,      ///< a path given that does not exist
  kEmptyFolder,  ///< a folder given that holds no files at all
};

/// "taken", "duplicate", "unreadable", "silent", "too short", "not audio", "hidden", "missing",
/// "empty folder".
std::string to_string(FileStatus status);

struct FileReport {
  std::filesystem::path path;
  FileStatus status = FileStatus::kTaken;
  std::string reason;                 ///< one plain sentence when not taken
  std::vector<std::string> warnings;  ///< problems that did not stop a taken file (from the decoder)
  int64_t song_id = -1;               ///< when taken
  int64_t n_snippets = 0;             ///< when taken
  double duration_s = 0;              ///< decoded length, when decoded
  double kept_s = 0;                  ///< length after silence removal, when decoded
  std::string split;                  ///< when taken: "train", "validation" or "reference"
};

struct IngestReport {
  std::vector<FileReport> files;

  int64_t songs_added() const;
  int64_t snippets_added() const;
  /// Files not taken (every status but kTaken), folders and missing paths included.
  int64_t refused() const;
  /// {"songs_added", "snippets_added", "refused", "files": [{"path", "status", "reason",
  /// "warnings", "song_id", "n_snippets", "duration_s", "kept_s", "split"}]} as JSON text.
  std::string to_json() const;
  /// One line per file (status, snippets, seconds, split, path, reason) and a summary line.
  std::string to_table() const;
};

}  // namespace mh::corpus
