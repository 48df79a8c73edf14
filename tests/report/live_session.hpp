#pragma once
/// A running session for the live page's tests: the fake session of fake_session.hpp without its
/// half-written last line, and a way to add one more song as the conversation would (WAV and
/// sidecar first, then the event line).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/files.hpp"
#include "report/fake_session.hpp"

namespace mh::test {

/// The fake session, unfinished, its events ending with a complete line (10 events: ids 0 to 9).
inline void make_running_session(const std::filesystem::path& dir) {
  make_fake_session(dir, /*finished=*/false);
  auto events = read_file(dir / "events.jsonl");
  events.resize(events.rfind('\n') + 1);
  write_text_file(dir / "events.jsonl", events);
}

inline void append_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::app) << text << std::flush;
}

/// Song `number` by Dennis, an imitation of song `number - 1`: its WAV, its sidecar, then its event.
inline void append_song(const std::filesystem::path& dir, int number) {
  const auto base = fmt::format("songs/{:04d}_Dennis_imitation", number);
  write_tone(dir / (base + ".wav"), 1.0, 330.0);
  nlohmann::json song = {{"round", 1},         {"turn", 1},          {"song", number},
                         {"singer", "Dennis"}, {"listener", "Valerio"}, {"kind", "imitation"},
                         {"parent", number - 1}, {"sigma", 0.0},     {"seed", 100 + number},
                         {"duration_s", 1.0},
                         {"wav", base + ".wav"}, {"sidecar", base + ".json"}, {"line", "the newest song"}};
  auto sidecar = song;
  sidecar["sample_rate_hz"] = 22050;
  sidecar["map"] = {{"Valerio", map_path(2, -1, 3)}, {"Dennis", map_path(1, 2, 3)}};
  write_text_file(dir / (base + ".json"), sidecar.dump());
  song["type"] = "song";
  song["seq"] = 100 + number;
  song["time"] = "2026-01-01T00:00:00Z";
  append_text(dir / "events.jsonl", song.dump() + "\n");
}

}  // namespace mh::test
