#include "conversation/session_log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <string_view>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::conversation {
namespace fs = std::filesystem;

std::string utc_now_iso() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

SessionLog::SessionLog(fs::path path) : path_(std::move(path)) {
  if (!fs::exists(path_)) return;
  const std::string text = read_file(path_, 1ull << 32);
  size_t start = 0;
  size_t kept_bytes = 0;  // the complete lines taken, kept byte for byte when a torn one is dropped
  bool torn = false;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      torn = true;  // the last append was cut short by a kill: it never happened
      break;
    }
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const auto parsed = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      if (start >= text.size()) {
        torn = true;
        break;
      }
      throw SessionError(fmt::format("{}: line {} is not JSON", path_.string(), events_.size() + 1));
    }
    events::Event event;
    try {
      event = events::parse_event(parsed);
    } catch (const EventError& e) {
      throw EventError(fmt::format("{}: line {}: {}", path_.string(), events_.size() + 1, e.what()));
    }
    if (event.seq != static_cast<int64_t>(size())) {
      throw SessionError(fmt::format("{}: line {} is not event {} of this log", path_.string(), events_.size() + 1,
                                     events_.size()));
    }
    events_.push_back(std::move(event));
    kept_bytes = start;
  }
  if (torn) write_file_atomic(path_, text.substr(0, kept_bytes));
}

const events::Event& SessionLog::at(size_t index) const {
  if (index < first_ || index >= size()) {
    throw SessionError(fmt::format("{}: event {} is {}", path_.string(), index,
                                   index < first_ ? "no longer held in memory" : "not in the log"));
  }
  return events_[index - first_];
}

void SessionLog::forget_before(size_t index) {
  while (first_ < index && !events_.empty()) {
    events_.pop_front();
    ++first_;
  }
}

events::Event SessionLog::emit(events::EventBody body) {
  events::Event event{static_cast<int64_t>(size()), utc_now_iso(), std::move(body)};
  append_line_durable(path_, events::to_json(event).dump());
  events_.push_back(event);
  for (auto* sink : sinks_) sink->on_event(event);
  return event;
}

}  // namespace mh::conversation
