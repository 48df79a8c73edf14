#include "conversation/retention.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "core/errors.hpp"

namespace mh::conversation {
namespace fs = std::filesystem;

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void remove_file(const fs::path& file) {
  std::error_code ec;
  fs::remove(file, ec);
  if (ec) throw IoError(fmt::format("{}: cannot remove: {}", file.string(), ec.message()));
}

}  // namespace

std::vector<std::string> prune_dream_snapshots(const fs::path& dreams_dir, const std::string& agent, int keep,
                                               std::optional<int> emancipation_dream) {
  std::vector<std::string> removed;
  std::error_code ec;
  if (keep <= 0 || !fs::is_directory(dreams_dir, ec)) return removed;
  const std::string prefix = agent + "_";
  // Dream index → its snapshot files. A name that only starts like another agent's
  // ("Val_1_002_...") does not parse, as its digits are not followed by a model name.
  std::map<int, std::vector<fs::path>> by_dream;
  for (const auto& entry : fs::directory_iterator(dreams_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto underscore = rest.find('_');
    if (underscore == std::string::npos) continue;
    const std::string index = rest.substr(0, underscore), tail = rest.substr(underscore);
    if (!all_digits(index) || (tail != "_ml1_before.ckpt" && tail != "_ml2_before.ckpt")) continue;
    by_dream[std::stoi(index)].push_back(entry.path());
  }
  std::set<int> kept;
  for (auto it = by_dream.rbegin(); it != by_dream.rend() && static_cast<int>(kept.size()) < keep; ++it) {
    kept.insert(it->first);
  }
  if (emancipation_dream) kept.insert(*emancipation_dream);
  for (auto& [index, files] : by_dream) {
    if (kept.count(index)) continue;
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      remove_file(f);
      removed.push_back(f.filename().string());
    }
  }
  return removed;
}

SongsPruned cap_songs_folder(const fs::path& songs_dir, std::uint64_t max_bytes, int64_t protect_from,
                             const std::function<void(const std::vector<fs::path>&)>& before_remove) {
  SongsPruned out;
  std::error_code ec;
  if (max_bytes == 0 || !fs::is_directory(songs_dir, ec)) return out;
  std::uint64_t total = 0;
  std::map<int64_t, std::vector<std::pair<fs::path, std::uint64_t>>> wavs;  // song number → its WAVs
  for (const auto& entry : fs::directory_iterator(songs_dir)) {
    if (!entry.is_regular_file(ec)) continue;
    if (entry.path().extension() != ".wav") continue;  // sidecars are the record: never capped, never counted
    const std::uint64_t size = entry.file_size(ec);
    if (ec) continue;  // removed meanwhile
    total += size;
    const std::string name = entry.path().filename().string();
    const auto underscore = name.find('_');
    if (underscore == std::string::npos) continue;
    const std::string number = name.substr(0, underscore);
    if (!all_digits(number)) continue;
    const int64_t song = std::stoll(number);
    if (song < protect_from) wavs[song].emplace_back(entry.path(), size);
  }
  std::vector<std::pair<fs::path, std::uint64_t>> chosen;
  for (auto& [song, files] : wavs) {
    if (total <= max_bytes) break;
    for (const auto& f : files) {
      chosen.push_back(f);
      total -= f.second;
    }
  }
  if (chosen.empty()) return out;
  if (before_remove) {
    std::vector<fs::path> paths;
    for (const auto& f : chosen) paths.push_back(f.first);
    before_remove(paths);
  }
  for (const auto& [file, size] : chosen) {
    remove_file(file);
    out.wavs.push_back(file.filename().string());
    out.bytes_freed += size;
  }
  out.bytes_after = total;
  return out;
}

}  // namespace mh::conversation
