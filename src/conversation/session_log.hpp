#pragma once
/// The session's append-only event log (`events.jsonl`, see docs/session_format.md): the single
/// record of what a conversation has done, from which `--resume` continues. A line torn by a
/// kill is dropped when the log is opened; no complete line is ever rewritten.
#include <filesystem>
#include <string>
#include <deque>
#include <vector>

#include "conversation/event_sink.hpp"
#include "conversation/session_events.hpp"

namespace mh::conversation {

class SessionLog {
 public:
  /// Opens (creating if absent) `path`. Throws IoError, SessionError for a complete line that is
  /// not an event of the schema (EventError) or not the next in sequence.
  explicit SessionLog(std::filesystem::path path);

  /// Events in the log, forgotten ones included.
  size_t size() const { return first_ + events_.size(); }
  /// Event `index`. Throws SessionError when it was forgotten or is not in the log.
  const events::Event& at(size_t index) const;
  /// Frees the events before `index` (a conversation that runs for weeks keeps only what it has
  /// yet to replay, and the event it just consumed). References to them become invalid.
  void forget_before(size_t index);

  /// Adds seq and time, appends durably, forwards to every sink; returns the completed event.
  events::Event emit(events::EventBody body);
  void add_sink(EventSink* sink) { sinks_.push_back(sink); }

 private:
  std::filesystem::path path_;
  size_t first_ = 0;                  ///< index of events_.front()
  std::deque<events::Event> events_;  // a deque: forgetting the front keeps references to the rest
  std::vector<EventSink*> sinks_;
};

/// "2026-11-24T13:05:00Z".
std::string utc_now_iso();

}  // namespace mh::conversation
