#pragma once
/// The session's append-only event log (`events.jsonl`, see docs/session_format.md): the single
/// record of what a conversation has done, from which `--resume` continues. A line torn by a
/// kill is dropped when the log is opened; no complete line is ever rewritten.
#include <filesystem>
#include <string>
#include <vector>

#include "conversation/event_sink.hpp"
#include "conversation/session_events.hpp"

namespace mh::conversation {

class SessionLog {
 public:
  /// Opens (creating if absent) `path`. Throws IoError, SessionError for a complete line that is
  /// not an event of the schema (EventError) or not the next in sequence.
  explicit SessionLog(std::filesystem::path path);

  const std::vector<events::Event>& events() const { return events_; }

  /// Adds seq and time, appends durably, forwards to every sink; returns the completed event.
  events::Event emit(events::EventBody body);
  void add_sink(EventSink* sink) { sinks_.push_back(sink); }

 private:
  std::filesystem::path path_;
  std::vector<events::Event> events_;
  std::vector<EventSink*> sinks_;
};

/// "2026-11-24T13:05:00Z".
std::string utc_now_iso();

}  // namespace mh::conversation
