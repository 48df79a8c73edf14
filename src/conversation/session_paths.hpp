#pragma once
/// The files and folders of a conversation session (docs/session_format.md), named once for the
/// code that writes them and the code that reads them; a test checks that the doc lists each.
#include <string>
#include <vector>

namespace mh::conversation {

inline constexpr const char* kSettingsFile = "session.toml";
inline constexpr const char* kEventsFile = "events.jsonl";
inline constexpr const char* kMeasuresFile = "measures.jsonl";
inline constexpr const char* kMapFile = "map.json";
inline constexpr const char* kSongsDir = "songs";    ///< every song's WAV and sidecar
inline constexpr const char* kDreamsDir = "dreams";  ///< models before each dream, to redo one cut short
inline constexpr const char* kJudgesDir = "judges";  ///< each agent's frozen first ML1 and latent map
inline constexpr const char* kReportDir = "report";  ///< `metahuman report` and `serve`
inline constexpr const char* kReportMelDir = "mel";  ///< inside kReportDir: the songs' spectrograms
inline constexpr const char* kChainsDir = "chains";  ///< `metahuman chain --session`

/// Every file and folder a session may hold, relative to it; a folder ends in '/'.
inline std::vector<std::string> session_paths() {
  const auto folder = [](const std::string& name) { return name + "/"; };
  return {kSettingsFile,          kEventsFile,           kMeasuresFile,
          kMapFile,               folder(kSongsDir),     folder(kDreamsDir),
          folder(kJudgesDir),     folder(kReportDir),    folder(kReportDir) + folder(kReportMelDir),
          folder(kChainsDir)};
}

}  // namespace mh::conversation
