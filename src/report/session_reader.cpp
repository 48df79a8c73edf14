#include "report/session_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <set>

#include "conversation/session_paths.hpp"
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

/// A path named by the session relative to it (or absolute), as a path relative to the session
/// when it lies inside; empty when it escapes or is empty.
std::string inside_session(const std::string& relative) {
  if (relative.empty()) return {};
  const fs::path p = fs::path(relative).lexically_normal();
  if (p.is_absolute() || p.empty() || *p.begin() == "..") return {};
  return p.generic_string();
}

std::vector<fs::path> agent_dirs_from(const SessionData& s) {
  std::vector<fs::path> dirs;
  if (s.session_start) {
    for (const auto& d : s.session_start->agent_dirs) {
      dirs.push_back(fs::path(d).is_absolute() ? fs::path(d) : s.dir / d);
    }
  }
  dirs.resize(s.agents.size());
  return dirs;
}

/// The events of `text` (events.jsonl); lines that are not JSON or not events become warnings.
std::vector<conversation::events::Event> parse_events(const std::string& text, std::vector<std::string>& warnings) {
  std::vector<conversation::events::Event> out;
  std::vector<int> line_numbers;
  const auto lines = parse_json_lines(text, conversation::kEventsFile, warnings, &line_numbers);
  for (size_t i = 0; i < lines.size(); ++i) {
    try {
      out.push_back(conversation::events::parse_event(lines[i]));
    } catch (const EventError& e) {
      warnings.push_back(fmt::format("{} line {}: {} (skipped)", conversation::kEventsFile, line_numbers[i], e.what()));
    }
  }
  return out;
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

int song_number_of(const fs::path& file) {
  const auto name = file.filename().string();
  std::size_t digits = 0;
  while (digits < name.size() && digits < 9 && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits >= name.size() || name[digits] != '_') return -1;
  return std::stoi(name.substr(0, digits));
}

SessionData newest_songs(SessionData session, int count) {
  if (count <= 0 || session.songs.size() <= static_cast<std::size_t>(count)) return session;
  const auto drop = session.songs.size() - static_cast<std::size_t>(count);
  session.songs.erase(session.songs.begin(), session.songs.begin() + static_cast<std::ptrdiff_t>(drop));
  session.songs_left_out += static_cast<int>(drop);
  return session;
}

std::vector<json> parse_json_lines(const std::string& text, const std::string& source, std::vector<std::string>& warnings,
                                   std::vector<int>* line_numbers) {
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
    if (line_numbers) line_numbers->push_back(line_number);
  }
  return out;
}

SessionData read_session(const fs::path& dir, int newest) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(fmt::format("{}: not a session folder (no such directory)", dir.string()));
  SessionData s;
  s.dir = dir;
  auto& w = s.warnings;

  if (auto text = read_if_present(dir / conversation::kEventsFile, w)) {
    s.events = parse_events(*text, w);
  } else {
    w.push_back(fmt::format("{} is missing: songs are listed from the songs folder only", conversation::kEventsFile));
  }
  if (auto text = read_if_present(dir / conversation::kSettingsFile, w)) s.settings_toml = *text;

  std::map<int, SongEntry> songs;
  std::set<int> pruned;  // song numbers whose WAVs the songs cap removed
  for (const auto& e : s.events) {
    namespace ev = conversation::events;
    if (const auto* start = ev::get_if<ev::SessionStart>(e)) {
      if (!s.session_start) s.session_start = *start;
    } else if (const auto* end = ev::get_if<ev::SessionEnd>(e)) {
      s.session_end = *end;
    } else if (const auto* gone = ev::get_if<ev::SongsPruned>(e)) {
      for (const auto& wav : gone->wavs) pruned.insert(song_number_of(wav));
    } else if (const auto* song = ev::get_if<ev::Song>(e)) {
      auto& entry = songs[static_cast<int>(song->song)];
      entry.number = static_cast<int>(song->song);
      entry.info = ev::to_json(e);
      entry.song = *song;
      entry.has_event = true;
    }
  }
  if (s.session_start) s.agents = s.session_start->agents;

  // Files in songs/: sidecars overlay the events (they hold the map paths); a WAV without an
  // event is a song saved just before the session stopped.
  std::map<int, std::string> wav_files;
  std::map<int, fs::path> sidecar_files;
  if (fs::is_directory(dir / conversation::kSongsDir, ec)) {
    for (const auto& f : fs::directory_iterator(dir / conversation::kSongsDir, ec)) {
      const int n = song_number_of(f.path());
      if (n < 0 || !f.is_regular_file(ec)) continue;
      if (f.path().extension() == ".wav") {
        wav_files[n] = (fs::path(conversation::kSongsDir) / f.path().filename()).generic_string();
      }
      if (f.path().extension() == ".json") sidecar_files[n] = f.path();
    }
  }
  // A page of the newest songs reads only their sidecars: a week's thousands would make every
  // redraw of the live page read hundreds of MB.
  int first_shown = 0;
  if (newest > 0) {
    std::set<int> numbers;
    for (const auto& [n, entry] : songs) numbers.insert(n);
    for (const auto& [n, file] : sidecar_files) numbers.insert(n);
    for (const auto& [n, file] : wav_files) numbers.insert(n);
    if (numbers.size() > static_cast<std::size_t>(newest)) first_shown = *std::prev(numbers.end(), newest);
  }
  for (auto& [n, file] : sidecar_files) {
    auto& entry = songs[n];
    entry.number = n;
    if (n < first_shown) continue;
    auto text = read_if_present(file, w);
    if (!text) continue;
    auto parsed = json::parse(*text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      w.push_back(fmt::format("{}/{} is not valid JSON (ignored)", conversation::kSongsDir, file.filename().string()));
      continue;
    }
    // The latents are most of a sidecar and nothing the page shows: a week's would fill memory.
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
      if (it.key() != "latents") entry.info[it.key()] = std::move(it.value());
    }
    entry.has_sidecar = true;
  }
  for (auto& [n, wav] : wav_files) songs[n].number = n;
  int pruned_songs = 0;
  for (auto& [n, entry] : songs) {
    std::string wav = entry.song ? inside_session(entry.song->wav) : std::string();
    if (wav.empty() || !fs::is_regular_file(dir / wav, ec)) {
      wav = wav_files.count(n) ? wav_files[n] : std::string();
    }
    entry.wav = wav;
    entry.pruned = wav.empty() && pruned.count(n) > 0;
    // The cap removes WAVs by design: one line for all of them, not one per song.
    if (entry.pruned) ++pruned_songs;
    else if (wav.empty()) w.push_back(fmt::format("song {} has no audio file", n));
    s.songs.push_back(std::move(entry));
  }
  if (pruned_songs > 0) {
    s.notes.push_back(fmt::format("The songs cap (songs_max_mb) removed the audio of {} older songs; their sidecars "
                                  "and the spectrograms drawn before stay.",
                                  pruned_songs));
  }

  if (auto text = read_if_present(dir / conversation::kMeasuresFile, w)) {
    s.measures = parse_json_lines(*text, conversation::kMeasuresFile, w);
  }

  if (auto text = read_if_present(dir / conversation::kMapFile, w)) {
    auto parsed = json::parse(*text, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("agents") && parsed["agents"].is_object()) {
      s.map = parsed["agents"];
    } else {
      w.push_back(fmt::format("{} is not a valid latent map (ignored)", conversation::kMapFile));
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

  s.chains = read_chains(dir / conversation::kChainsDir, w);

  // Training histories: the agents' folders as the session_start event names them.
  const auto dirs = agent_dirs_from(s);
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
  return newest_songs(std::move(s), newest);
}

}  // namespace mh::report
