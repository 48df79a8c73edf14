#include "conversation/session_log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

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
  bool torn = false;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      torn = true;  // the last append was cut short by a kill: it never happened
      break;
    }
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    nlohmann::json event;
    try {
      event = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      if (start >= text.size()) {
        torn = true;
        break;
      }
      throw SessionError(fmt::format("{}: line {} is not JSON", path_.string(), events_.size() + 1));
    }
    if (!event.is_object() || !event.contains("seq") || !event["seq"].is_number_integer() ||
        event["seq"].get<int64_t>() != static_cast<int64_t>(events_.size()) || !event.contains("type")) {
      throw SessionError(fmt::format("{}: line {} is not event {} of this log", path_.string(), events_.size() + 1,
                                     events_.size()));
    }
    events_.push_back(std::move(event));
  }
  if (torn) {
    std::string kept;
    for (const auto& e : events_) kept += e.dump() + "\n";
    write_file_atomic(path_, kept);
  }
}

std::vector<nlohmann::json> SessionLog::of_type(const std::string& type) const {
  std::vector<nlohmann::json> out;
  for (const auto& e : events_) {
    if (e["type"] == type) out.push_back(e);
  }
  return out;
}

nlohmann::json SessionLog::emit(nlohmann::json event) {
  event["seq"] = static_cast<int64_t>(events_.size());
  event["time"] = utc_now_iso();
  append_line_durable(path_, event.dump());
  events_.push_back(event);
  for (auto* sink : sinks_) sink->on_event(event);
  return event;
}

}  // namespace mh::conversation
