#include "report/event_tail.hpp"

#include <fmt/format.h>

#include <fstream>

namespace mh::report {
namespace fs = std::filesystem;

namespace {
// A poll reads at most this much, so that a huge log is taken in steps rather than all at once.
constexpr std::uint64_t kMaxReadBytes = 64ull << 20;
}  // namespace

EventTail::Update EventTail::poll() {
  Update update;
  std::error_code ec;
  const auto size = fs::file_size(file_, ec);
  if (ec) return update;  // not written yet
  if (size < offset_) {
    update.restarted = true;
    offset_ = 0;
    line_ = 0;
  }
  if (size == offset_) return update;
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    update.warnings.push_back(fmt::format("{}: cannot be read", file_.string()));
    return update;
  }
  const auto want = std::min<std::uint64_t>(size - offset_, kMaxReadBytes);
  std::string text(want, '\0');
  in.seekg(static_cast<std::streamoff>(offset_));
  in.read(text.data(), static_cast<std::streamsize>(want));
  text.resize(static_cast<std::size_t>(in.gcount()));
  const auto last_newline = text.rfind('\n');
  if (last_newline == std::string::npos) return update;  // only a line still being written
  text.resize(last_newline + 1);
  offset_ += text.size();
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      update.warnings.push_back(fmt::format("events.jsonl line {} is not a JSON object (skipped)", line_));
      continue;
    }
    update.events.push_back(std::move(parsed));
  }
  return update;
}

}  // namespace mh::report
