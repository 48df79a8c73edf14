#include "report/session_files.hpp"

#include <algorithm>
#include <map>

namespace mh::report {
namespace fs = std::filesystem;

std::optional<fs::path> resolve_session_file(const fs::path& session_root, const std::string& request_path) {
  if (request_path.find('\0') != std::string::npos) return std::nullopt;
  std::string relative = request_path;
  if (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  if (relative.empty() || fs::path(relative).is_absolute()) return std::nullopt;
  std::error_code ec;
  // weakly_canonical resolves every link that exists, so where the path really leads is
  // compared, not how it is spelled.
  const auto target = fs::weakly_canonical(session_root / relative, ec);
  if (ec) return std::nullopt;
  const auto [root_end, unused] = std::mismatch(session_root.begin(), session_root.end(), target.begin(), target.end());
  if (root_end != session_root.end()) return std::nullopt;
  if (!fs::is_regular_file(target, ec)) return std::nullopt;
  return target;
}

std::string content_type_of(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".wav", "audio/wav"},          {".png", "image/png"},        {".json", "application/json"},
      {".jsonl", "text/plain; charset=utf-8"}, {".toml", "text/plain; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},   {".html", "text/html; charset=utf-8"},
      {".npy", "application/octet-stream"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace mh::report
