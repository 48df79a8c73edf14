#include "corpus/ingest_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace mh::corpus {

std::string to_string(FileStatus status) {
  switch (status) {
    case FileStatus::kTaken: return "taken";
    case FileStatus::kDuplicate: return "duplicate";
    case FileStatus::kUnreadable: return "unreadable";
    case FileStatus::kSilent: return "silent";
    case FileStatus::kTooShort: return "too short";
    case FileStatus::kNotAudio: return "not audio";
    case FileStatus::kHidden: return "hidden";
    case FileStatus::kMissing: return "missing";
    case FileStatus::kEmptyFolder: return "empty folder";
  }
  return "?";
}

int64_t IngestReport::songs_added() const {
  int64_t n = 0;
  for (const auto& f : files) n += f.status == FileStatus::kTaken ? 1 : 0;
  return n;
}

int64_t IngestReport::snippets_added() const {
  int64_t n = 0;
  for (const auto& f : files) n += f.status == FileStatus::kTaken ? f.n_snippets : 0;
  return n;
}

int64_t IngestReport::refused() const { return static_cast<int64_t>(files.size()) - songs_added(); }

std::string IngestReport::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : files) {
    list.push_back({{"path", f.path.string()}, {"status", to_string(f.status)}, {"reason", f.reason},
                    {"warnings", f.warnings}, {"song_id", f.song_id}, {"n_snippets", f.n_snippets},
                    {"duration_s", f.duration_s}, {"kept_s", f.kept_s}, {"split", f.split}});
  }
  const nlohmann::json j{{"songs_added", songs_added()},
                         {"snippets_added", snippets_added()},
                         {"refused", refused()},
                         {"files", list}};
  return j.dump(2) + "\n";
}

std::string IngestReport::to_table() const {
  std::string out = fmt::format("{:<12} {:>8} {:>9} {:<10} {}\n", "status", "snippets", "seconds", "split", "file");
  for (const auto& f : files) {
    const bool taken = f.status == FileStatus::kTaken;
    out += fmt::format("{:<12} {:>8} {:>9} {:<10} {}", to_string(f.status), taken ? std::to_string(f.n_snippets) : "-",
                       f.duration_s > 0 ? fmt::format("{:.1f}", f.duration_s) : "-", taken ? f.split : "-",
                       f.path.string());
    if (!f.reason.empty()) out += "  (" + f.reason + ")";
    out += "\n";
    for (const auto& w : f.warnings) out += "             warning: " + w + "\n";
  }
  out += fmt::format("{} songs ({} snippets) added, {} refused or skipped\n", songs_added(), snippets_added(),
                     refused());
  return out;
}

}  // namespace mh::corpus
