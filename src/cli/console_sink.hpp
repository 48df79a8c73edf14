#pragma once
/// Conversation events as one plain line each on the terminal or in a log.
#include <cstdio>

#include "conversation/event_sink.hpp"

namespace mh::cli {

class ConsoleSink : public conversation::EventSink {
 public:
  explicit ConsoleSink(std::FILE* out = stdout) : out_(out) {}
  void on_event(const conversation::events::Event& event) override;

 private:
  std::FILE* out_;
};

}  // namespace mh::cli
