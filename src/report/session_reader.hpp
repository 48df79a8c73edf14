#pragma once
/// Reads what a conversation session folder (docs/session_format.md) holds so far, tolerating a
/// session that is still running or was killed: missing files, a half-written last line,
/// songs without events or sidecars. Nothing here throws for a damaged file; problems become
/// warnings shown in the report.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mh::report {

/// One song, merged from its `song` event, its sidecar and the files present.
struct SongEntry {
  int number = 0;
  nlohmann::json info = nlohmann::json::object();  ///< event fields overlaid by sidecar fields
  std::string wav;      ///< path relative to the session ("songs/....wav"); empty when absent
  bool has_event = false;
  bool has_sidecar = false;
};

struct SessionData {
  std::filesystem::path dir;
  nlohmann::json session_start;                 ///< null when there is no session_start event
  std::optional<nlohmann::json> session_end;    ///< present when the session finished
  std::vector<nlohmann::json> events;           ///< every readable event, in file order
  std::vector<SongEntry> songs;                 ///< by song number
  std::vector<nlohmann::json> measures;         ///< measures.jsonl lines
  nlohmann::json map = nlohmann::json::object();  ///< map.json's "agents" object (name → map)
  /// Agent name → { "ml1": [epoch records...], "ml2": [...] } for agents whose folders are known.
  nlohmann::json histories = nlohmann::json::object();
  std::string settings_toml;                    ///< session.toml's text, empty when absent
  std::vector<std::string> agents;              ///< agent names in order A, B (from events, else maps)
  /// Imitation chains kept in the session (`chains/<name>/chain.json`, written by `metahuman chain
  /// --session`), each with "name" (the folder) added, ordered by name.
  std::vector<nlohmann::json> chains;
  std::vector<std::string> warnings;            ///< one plain sentence per problem found
};

/// Reads `dir`. Throws InputError only when `dir` is not a directory.
SessionData read_session(const std::filesystem::path& dir);

/// Parses JSON lines, skipping blank lines; a line that does not parse (a half-written last line
/// of a running session) is skipped with a warning naming `source` and the line number.
std::vector<nlohmann::json> parse_json_lines(const std::string& text, const std::string& source,
                                             std::vector<std::string>& warnings);

}  // namespace mh::report
