#pragma once
/// The conversation's events (a session's events.jsonl, also handed to EventSinks) as structs:
/// one per type, with one serialiser and one parser whose field tables (session_events.cpp) are
/// the only place the keys are spelled. docs/session_format.md describes the same schema, and a
/// test holds the two together.
///
/// A field that sessions written before it existed lack is a std::optional, absent when empty;
/// the rest every version has written. Keys a parser does not know are ignored, so a line from a
/// newer program still reads.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mh::conversation::events {

struct SessionStart {
  static constexpr const char* kType = "session_start";
  std::optional<std::string> session_id;  ///< 16 hex digits, the prefix of every song id
  std::vector<std::string> agents;        ///< in order A, B
  std::vector<std::string> agent_dirs;
  int rounds = 0;  ///< 0: until stopped
  std::optional<int> first_round;
  std::optional<std::int64_t> turns_per_round;
  std::optional<std::string> preset;
  std::uint64_t seed = 0;
  std::vector<std::int64_t> first_new_song;  ///< per agent, its first dataset song of this session
};

struct RoundStart {
  static constexpr const char* kType = "round_start";
  int round = 0;
};

struct Song {
  static constexpr const char* kType = "song";
  int round = 0;
  int turn = 0;  ///< 0-based within the round
  std::int64_t song = 0;
  std::optional<std::string> id;  ///< "<session_id>/<song>"
  std::string singer, listener, kind;
  std::optional<std::int64_t> parent;  ///< written as null for a song that answers none
  double sigma = 0;
  std::uint64_t seed = 0;
  std::optional<int> depth;
  std::optional<std::string> from;  ///< a chain's first song: what it came from
  double duration_s = 0;
  std::string wav, sidecar;  ///< relative to the session
  std::string line;
  std::optional<nlohmann::json> listening;  ///< an object: docs/measures.md, docs/notes.md
};

struct Listen {
  static constexpr const char* kType = "listen";
  std::string agent;
  std::int64_t song = 0;
  std::optional<int> round;
  std::int64_t dataset_song = 0;
  double human_fraction = 0;
  std::optional<double> human_fraction_dataset;
  std::optional<double> human_fraction_updates;
};

struct Emancipation {
  static constexpr const char* kType = "emancipation";
  std::string agent;
  std::int64_t song = 0;
  int round = 0;
  double human_fraction = 0;
  std::string line;
};

struct DreamStart {
  static constexpr const char* kType = "dream_start";
  std::string agent;
  int dream = 0;  ///< 1-based
  int round = 0;
  std::int64_t items = 0;
  std::optional<std::int64_t> songs;
  std::optional<std::int64_t> songs_too_long;
  std::string policy;
  std::optional<int> batch_size;
  std::optional<double> learning_rate;
  std::optional<double> budget_s;
};

struct DreamEnd {
  static constexpr const char* kType = "dream_end";
  std::string agent;
  int dream = 0;
  int round = 0;
  double seconds = 0;
  nlohmann::json measures = nlohmann::json::object();  ///< the line of measures.jsonl
  std::optional<bool> out_of_time;
  std::optional<std::int64_t> ml1_epochs;
  std::optional<std::string> ml2;
  std::optional<double> order_drift;  ///< NaN (written as null): unknown
  std::int64_t dataset_songs = 0;
  std::optional<std::vector<double>> generation_mean;
};

struct SessionEnd {
  static constexpr const char* kType = "session_end";
  int rounds_done = 0;
};

struct Control {
  static constexpr const char* kType = "control";
  std::string command;  ///< run_control.hpp's words
  std::string address;
  std::optional<double> value;  ///< sigma's
  std::optional<int> agent;     ///< sigma's: index, -1 for every agent
  std::string line;
};

struct ControlIgnored {
  static constexpr const char* kType = "control_ignored";
  std::string address;
  std::string types;
  std::string reason;
  std::optional<std::int64_t> dropped;  ///< a flood counted instead of logged
  std::string line;
};

struct SongsPruned {
  static constexpr const char* kType = "songs_pruned";
  std::vector<std::string> wavs;
  std::uint64_t bytes_freed = 0;
  std::uint64_t songs_bytes = 0;
  double songs_max_mb = 0;
  std::string line;
};

using EventBody = std::variant<SessionStart, RoundStart, Song, Listen, Emancipation, DreamStart, DreamEnd, SessionEnd,
                               Control, ControlIgnored, SongsPruned>;

/// One line of the log: the fields every event has, and its type's.
struct Event {
  std::int64_t seq = 0;
  std::string time;  ///< ISO 8601 UTC
  EventBody body;
};

/// The body's `type`.
const char* type_of(const EventBody& body);

/// The event as the log writes it, `seq`, `type` and `time` included.
nlohmann::json to_json(const Event& event);

/// Throws EventError naming the type and field when `j` is not an event of the schema.
Event parse_event(const nlohmann::json& j);
/// The same for a line of text; a line that is not JSON is an EventError too.
Event parse_event_line(std::string_view line);

/// The body when it is a `T`, else nullptr.
template <typename T>
const T* get_if(const Event& event) {
  return std::get_if<T>(&event.body);
}

/// What the schema holds, for the test that checks docs/session_format.md against it.
struct FieldSchema {
  std::string key;
  bool always = true;  ///< false: sessions written before it existed lack it, or it is absent when it does not apply
};
struct EventSchema {
  std::string type;
  std::vector<FieldSchema> fields;  ///< without the header's
};
/// The fields every event has (`seq`, `type`, `time`).
std::vector<FieldSchema> header_schema();
std::vector<EventSchema> event_schemas();

}  // namespace mh::conversation::events
