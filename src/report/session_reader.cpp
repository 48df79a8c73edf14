#include "report/session_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uint64_t kMaxTextBytes = 1ull << 30;

/// The file's text, or nullopt when it does not exist; unreadable files become a warning.
std::optional<std::string> read_if_present(const fs::path& path, std::vector<std::string>& warnings) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  try {
    return read_file(path, kMaxTextBytes);
  } catch (const Error& e) {
    warnings.push_back(e.what());
    return std::nullopt;
  }
}

/// Song number from a file name "NNNN_<singer>_<kind>.ext"; -1 when it does not start with digits.
int song_number_of(const fs::path& file) {
  const auto name = file.filename().string();
  std::size_t digits = 0;
  while (digits < name.size() && digits < 9 && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits >= name.size() || name[digits] != '_') return -1;
  return std::stoi(name.substr(0, digits));
}

/// A path named by the session relative to it (or absolute), as a path relative to the session
/// when it lies inside; empty when it escapes or is empty.
std::string inside_session(const std::string& relative) {
  if (relative.empty()) return {};
  const fs::path p = fs::path(relative).lexically_normal();
  if (p.is_absolute() || p.empty() || *p.begin() == "..") return {};
  return p.generic_string();
}

std::vector<fs::path> agent_dirs_from(const json& start, const fs::path& session_dir, std::vector<std::string>& names) {
  std::vector<fs::path> dirs;
  auto resolve = [&](const std::string& d) { return fs::path(d).is_absolute() ? fs::path(d) : session_dir / d; };
  if (start.is_object() && start.contains("agent_dirs")) {
    const auto& ad = start["agent_dirs"];
    if (ad.is_array()) {
      for (std::size_t i = 0; i < ad.size() && i < names.size(); ++i) {
        if (ad[i].is_string()) dirs.push_back(resolve(ad[i].get<std::string>()));
        else dirs.emplace_back();
      }
    } else if (ad.is_object()) {
      for (const auto& name : names) {
        dirs.push_back(ad.contains(name) && ad[name].is_string() ? resolve(ad[name].get<std::string>()) : fs::path());
      }
    }
  }
  if (dirs.empty() && start.is_object() && start.contains("agents") && start["agents"].is_array()) {
    for (const auto& a : start["agents"]) {
      if (a.is_object() && a.contains("dir") && a["dir"].is_string()) dirs.push_back(resolve(a["dir"].get<std::string>()));
      else dirs.emplace_back();
    }
  }
  dirs.resize(names.size());
  return dirs;
}

/// Every `<chains>/<name>/chain.json` that parses as a chain; others become warnings.
std::vector<json> read_chains(const fs::path& chains, std::vector<std::string>& warnings) {
  std::vector<json> out;
  std::error_code ec;
  if (!fs::is_directory(chains, ec)) return out;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(chains, ec)) {
    // A link could lead the page outside the session folder.
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  for (const auto& folder : folders) {
    auto text = read_if_present(folder / "chain.json", warnings);
    if (!text) continue;
    auto chain = json::parse(*text, nullptr, false);
    const auto name = folder.filename().string();
    if (chain.is_discarded() || !chain.is_object() || !chain.contains("passes") || !chain["passes"].is_array()) {
      warnings.push_back(fmt::format("chains/{}/chain.json is not an imitation chain (ignored)", name));
      continue;
    }
    chain["name"] = name;
    out.push_back(std::move(chain));
  }
  return out;
}

}  // namespace

std::vector<json> parse_json_lines(const std::string& text, const std::string& source, std::vector<std::string>& warnings) {
  std::vector<json> out;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      warnings.push_back(fmt::format("{} line {} is not a complete JSON object (skipped)", source, line_number));
      continue;
    }
    out.push_back(std::move(parsed));
  }
  return out;
}

SessionData read_session(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(fmt::format("{}: not a session folder (no such directory)", dir.string()));
  SessionData s;
  s.dir = dir;
  auto& w = s.warnings;

  if (auto text = read_if_present(dir / "events.jsonl", w)) {
    s.events = parse_json_lines(*text, "events.jsonl", w);
  } else {
    w.push_back("events.jsonl is missing: songs are listed from the songs folder only");
  }
  if (auto text = read_if_present(dir / "session.toml", w)) s.settings_toml = *text;

  std::map<int, SongEntry> songs;
  for (const auto& e : s.events) {
    const auto type = e.value("type", std::string());
    if (type == "session_start" && s.session_start.is_null()) {
      s.session_start = e;
    } else if (type == "session_end") {
      s.session_end = e;
    } else if (type == "song" && e.contains("song") && e["song"].is_number_integer()) {
      auto& entry = songs[e["song"].get<int>()];
      entry.number = e["song"].get<int>();
      entry.info = e;
      entry.has_event = true;
    }
  }
  if (s.session_start.is_object() && s.session_start.contains("agents") && s.session_start["agents"].is_array()) {
    for (const auto& a : s.session_start["agents"]) {
      if (a.is_string()) s.agents.push_back(a.get<std::string>());
      else if (a.is_object() && a.contains("name") && a["name"].is_string()) s.agents.push_back(a["name"].get<std::string>());
    }
  }

  // Files in songs/: sidecars overlay the events (they hold the map paths); a WAV without an
  // event is a song saved just before the session stopped.
  std::map<int, std::string> wav_files;
  std::map<int, fs::path> sidecar_files;
  if (fs::is_directory(dir / "songs", ec)) {
    for (const auto& f : fs::directory_iterator(dir / "songs", ec)) {
      const int n = song_number_of(f.path());
      if (n < 0 || !f.is_regular_file(ec)) continue;
      if (f.path().extension() == ".wav") wav_files[n] = "songs/" + f.path().filename().string();
      if (f.path().extension() == ".json") sidecar_files[n] = f.path();
    }
  }
  for (auto& [n, file] : sidecar_files) {
    auto& entry = songs[n];
    entry.number = n;
    auto text = read_if_present(file, w);
    if (!text) continue;
    auto parsed = json::parse(*text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      w.push_back(fmt::format("songs/{} is not valid JSON (ignored)", file.filename().string()));
      continue;
    }
    for (auto it = parsed.begin(); it != parsed.end(); ++it) entry.info[it.key()] = it.value();
    entry.has_sidecar = true;
  }
  for (auto& [n, wav] : wav_files) songs[n].number = n;
  for (auto& [n, entry] : songs) {
    std::string wav = entry.info.contains("wav") && entry.info["wav"].is_string()
                          ? inside_session(entry.info["wav"].get<std::string>())
                          : std::string();
    if (wav.empty() || !fs::is_regular_file(dir / wav, ec)) {
      wav = wav_files.count(n) ? wav_files[n] : std::string();
    }
    entry.wav = wav;
    if (wav.empty()) w.push_back(fmt::format("song {} has no audio file", n));
    s.songs.push_back(std::move(entry));
  }

  if (auto text = read_if_present(dir / "measures.jsonl", w)) s.measures = parse_json_lines(*text, "measures.jsonl", w);

  if (auto text = read_if_present(dir / "map.json", w)) {
    auto parsed = json::parse(*text, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("agents") && parsed["agents"].is_object()) {
      s.map = parsed["agents"];
    } else {
      w.push_back("map.json is not a valid latent map (ignored)");
    }
  }
  if (s.agents.empty()) {
    for (auto it = s.map.begin(); it != s.map.end(); ++it) s.agents.push_back(it.key());
    std::set<std::string> seen(s.agents.begin(), s.agents.end());
    for (const auto& song : s.songs) {
      const auto singer = song.info.value("singer", std::string());
      if (!singer.empty() && seen.insert(singer).second) s.agents.push_back(singer);
    }
  }

  s.chains = read_chains(dir / "chains", w);

  // Training histories: the agents' folders as the session_start event names them.
  const auto dirs = agent_dirs_from(s.session_start, dir, s.agents);
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    if (dirs[i].empty()) continue;
    json h = json::object();
    for (const char* model : {"ml1", "ml2"}) {
      std::vector<std::string> ignored;
      if (auto text = read_if_present(dirs[i] / fmt::format("{}_history.jsonl", model), ignored)) {
        h[model] = parse_json_lines(*text, fmt::format("{} {}_history.jsonl", s.agents[i], model), w);
      }
    }
    if (!h.empty()) s.histories[s.agents[i]] = h;
  }
  return s;
}

}  // namespace mh::report
