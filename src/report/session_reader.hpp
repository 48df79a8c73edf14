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

#include "conversation/session_events.hpp"

namespace mh::report {

/// One song, merged from its `song` event, its sidecar and the files present.
struct SongEntry {
  int number = 0;
  nlohmann::json info = nlohmann::json::object();  ///< event fields overlaid by sidecar fields
  std::optional<conversation::events::Song> song;  ///< its event, when logged
  std::string wav;      ///< path relative to the session ("songs/....wav"); empty when absent
  bool has_event = false;
  bool has_sidecar = false;
  /// Its WAV was removed by the songs cap (a `songs_pruned` event names it): the sidecar and any
  /// spectrogram drawn before stay.
  bool pruned = false;
};

struct SessionData {
  std::filesystem::path dir;
  std::optional<conversation::events::SessionStart> session_start;
  std::optional<conversation::events::SessionEnd> session_end;  ///< present when the session finished
  std::vector<conversation::events::Event> events;  ///< every event of the schema, in file order
  std::vector<SongEntry> songs;                 ///< by song number
  /// Older songs left out of `songs` by newest_songs(): the page says how many.
  int songs_left_out = 0;
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
  std::vector<std::string> notes;               ///< what the page should say that is not a problem
};

/// Reads `dir`. Throws InputError only when `dir` is not a directory. A line of events.jsonl that
/// is not an event of the schema is left out with a warning. With `newest` > 0 only the newest
/// songs are kept (newest_songs) and only their sidecars are read.
SessionData read_session(const std::filesystem::path& dir, int newest = 0);

/// The session with only its newest `count` songs (all of them when `count` <= 0): a page that
/// follows a conversation for weeks shows the latest songs, not thousands of cards.
SessionData newest_songs(SessionData session, int count);

/// Song number from a file name "NNNN_<singer>_<kind>.ext"; -1 when it does not start with digits.
int song_number_of(const std::filesystem::path& file);

/// Parses JSON lines, skipping blank lines; a line that does not parse (a half-written last line
/// of a running session) is skipped with a warning naming `source` and the line number.
/// `line_numbers`, when given, gets each returned object's line number.
std::vector<nlohmann::json> parse_json_lines(const std::string& text, const std::string& source,
                                             std::vector<std::string>& warnings,
                                             std::vector<int>* line_numbers = nullptr);

}  // namespace mh::report
