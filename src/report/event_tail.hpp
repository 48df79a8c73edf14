#pragma once
/// Follows a session's append-only event log (events.jsonl) while the conversation writes it:
/// each poll returns the events appended since the last one. A half-written last line is left
/// for a later poll, so a reader never sees half an event.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mh::report {

class EventTail {
 public:
  struct Update {
    std::vector<nlohmann::json> events;  ///< complete new lines that parse as objects, in order
    /// The file shrank (a new session was started in the folder): `events` are read from its start.
    bool restarted = false;
    std::vector<std::string> warnings;  ///< complete lines that are not JSON objects (skipped)
  };

  explicit EventTail(std::filesystem::path file) : file_(std::move(file)) {}

  /// Reads what was appended since the last call; a missing file gives no events. Never throws
  /// for the file's content; a file that cannot be read is a warning.
  Update poll();

  /// Bytes of the file taken so far: complete lines only.
  std::uint64_t bytes_read() const { return offset_; }

 private:
  std::filesystem::path file_;
  std::uint64_t offset_ = 0;
  int line_ = 0;
};

}  // namespace mh::report
