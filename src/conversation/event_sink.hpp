#pragma once
/// Where conversation events go besides the session's events.jsonl (OSC for live visuals, a
/// terminal, tests). Events are those of session_events.hpp (docs/session_format.md).
#include "conversation/session_events.hpp"

namespace mh::conversation {

class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Called in event order from the conversation's thread. Must not throw for delivery
  /// problems of a live medium (a missing OSC receiver is not an error).
  virtual void on_event(const events::Event& event) = 0;
};

}  // namespace mh::conversation
