#pragma once
/// A small conversation session folder made by hand for the report's tests: three short songs
/// (two with events, one saved just before a "kill"), sidecars with map paths, events with a
/// half-written last line, measures of two dreams, the latent maps and an agent's ML1 history.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "audio/write_wav.hpp"

namespace mh::test {

inline void write_text_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline void write_tone(const std::filesystem::path& p, double seconds, double hz, int rate = 22050) {
  std::filesystem::create_directories(p.parent_path());
  const auto t = torch::arange(static_cast<int64_t>(seconds * rate), torch::kFloat64) / rate;
  const auto x = (0.3 * torch::sin(2 * M_PI * hz * t) * (1 + 0.5 * torch::sin(2 * M_PI * 2.0 * t))).to(torch::kFloat32);
  audio::write_wav(p, x, rate);
}

inline nlohmann::json map_path(double x0, double y0, int n) {
  auto path = nlohmann::json::array();
  for (int i = 0; i < n; ++i) path.push_back({x0 + 0.3 * i, y0 - 0.2 * i});
  return path;
}

/// Writes the session into `dir`; `finished` adds a session_end event.
inline void make_fake_session(const std::filesystem::path& dir, bool finished = false) {
  using nlohmann::json;
  const char* kinds[] = {"human", "imitation", "variation"};
  const char* singers[] = {"Valerio", "Dennis", "Valerio"};
  const char* listeners[] = {"Dennis", "Valerio", "Dennis"};
  std::string events;
  int seq = 0;
  auto event = [&](json e) {
    e["seq"] = seq++;
    e["time"] = "2026-01-01T00:00:00Z";
    events += e.dump() + "\n";
  };
  event({{"type", "session_start"}, {"agents", {"Valerio", "Dennis"}}, {"rounds", 2}, {"seed", 7},
         {"agent_dirs", {"agents/valerio", "agents/dennis"}}, {"first_new_song", {10, 10}}});
  event({{"type", "round_start"}, {"round", 0}});
  for (int n = 0; n < 3; ++n) {
    const auto base = fmt::format("songs/{:04d}_{}_{}", n, singers[n], kinds[n]);
    write_tone(dir / (base + ".wav"), 1.0 + 0.25 * n, 220.0 * (n + 1));
    json song = {{"round", n / 2}, {"turn", n % 2}, {"song", n}, {"singer", singers[n]}, {"listener", listeners[n]},
                 {"kind", kinds[n]}, {"parent", n == 0 ? json(nullptr) : json(n - 1)}, {"sigma", n == 2 ? 0.5 : 0.0},
                 {"seed", 100 + n}, {"duration_s", 1.0 + 0.25 * n}, {"wav", base + ".wav"},
                 {"sidecar", base + ".json"}, {"line", n == 0 ? "LaLeLu... I'm singing one of the human songs..." : "DubiSchubiDu <&>"}};
    json sidecar = song;
    sidecar["sample_rate_hz"] = 22050;
    sidecar["snippet_seconds"] = 0.5;
    sidecar["map"] = {{"Valerio", map_path(n, 1, 3)}, {"Dennis", map_path(-n, 0, 3)}};
    if (n == 0) sidecar["source"] = {{"song", 3}, {"title", "Ave </script> Maria"}, {"from_s", 20}, {"to_s", 40}};
    write_text_file(dir / (base + ".json"), sidecar.dump(2));
    if (n < 2) {  // the third song was saved but the session stopped before its event
      json e = song;
      e["type"] = "song";
      event(e);
      event({{"type", "listen"}, {"agent", listeners[n]}, {"song", n}, {"dataset_song", 10 + n},
             {"human_fraction", 0.9 - 0.3 * n}});
    }
  }
  for (int dream = 1; dream <= 2; ++dream) {
    for (const char* agent : {"Valerio", "Dennis"}) {
      event({{"type", "dream_start"}, {"agent", agent}, {"dream", dream}, {"round", dream - 1}, {"items", 40},
             {"policy", "mix"}});
    }
  }
  std::string measures;
  for (int dream = 1; dream <= 2; ++dream) {
    for (const char* agent : {"Valerio", "Dennis"}) {
      const double h = (agent[0] == 'V' ? 0.8 : 0.7) - 0.25 * dream;
      measures += json({{"agent", agent}, {"dream", dream}, {"round", dream - 1}, {"human_fraction", h},
                        {"frechet_distance", 10.0 * dream}, {"frechet_ratio", 1.0 + dream},
                        {"variance_ratio", 1.0 / dream}, {"forgetting", 1.0 + 0.1 * dream},
                        {"ltas", {{"distance_db", 2.0 * dream}, {"flatness", 0.3 / dream}}}})
                      .dump() +
                  "\n";
    }
  }
  if (finished) event({{"type", "session_end"}, {"rounds_done", 2}});
  else events += "{\"seq\": 99, \"type\": \"so";  // half-written line of a killed session
  write_text_file(dir / "events.jsonl", events);
  write_text_file(dir / "measures.jsonl", measures);
  json reference = json::array();
  for (int i = 0; i < 40; ++i) reference.push_back({std::cos(i * 0.7) * (1 + i % 5), std::sin(i * 1.3) * (1 + i % 3)});
  write_text_file(dir / "map.json", json({{"agents",
                                           {{"Valerio", {{"reference", reference}, {"explained_variance", {0.31, 0.12}}}},
                                            {"Dennis", {{"reference", reference}, {"explained_variance", {0.25, 0.2}}}}}}})
                                        .dump());
  write_text_file(dir / "session.toml", "rounds = 2\ndream_every = 1\nseed = 7\n");
  std::string history;
  for (int e = 1; e <= 5; ++e) {
    history += json({{"epoch", e}, {"train_total", 100.0 / e}, {"train_reconstruction", 80.0 / e}, {"train_kl", 20.0 / e},
                     {"val_reconstruction", 90.0 / e}, {"seconds", 1.0}, {"snippets_per_s", 50.0}})
                   .dump() +
               "\n";
  }
  write_text_file(dir / "agents/valerio/ml1_history.jsonl", history);
}

}  // namespace mh::test
