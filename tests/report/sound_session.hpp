#pragma once
/// A finished session of three songs that must look different in the report: digital silence
/// (a human excerpt), a harmonic tone answering it, and white noise answering the tone.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/write_wav.hpp"
#include "report/fake_session.hpp"

namespace mh::test {

inline constexpr const char* kSoundKinds[] = {"silence", "tone", "noise"};

/// [samples] float32 at `rate`: zeros, a 220 Hz tone with four harmonics, or seeded white noise.
inline torch::Tensor sound(const std::string& what, double seconds, int rate) {
  const auto n = static_cast<int64_t>(seconds * rate);
  if (what == "silence") return torch::zeros({n});
  if (what == "noise") {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
    return 0.1 * torch::randn({n}, gen, torch::kFloat32);
  }
  const auto t = torch::arange(n, torch::kFloat64) / rate;
  auto x = torch::zeros({n}, torch::kFloat64);
  for (int h = 1; h <= 4; ++h) x += 0.3 / h * torch::sin(2 * M_PI * 220.0 * h * t);
  return x.to(torch::kFloat32);
}

inline void make_sound_session(const std::filesystem::path& dir, int rate = 22050) {
  using nlohmann::json;
  const char* singers[] = {"Valerio", "Dennis", "Valerio"};
  const char* kinds[] = {"human", "imitation", "variation"};
  std::string events = json({{"seq", 0}, {"type", "session_start"}, {"agents", {"Valerio", "Dennis"}}, {"rounds", 1},
                             {"seed", 1}, {"time", "2026-01-01T00:00:00Z"}, {"agent_dirs", {"agents/valerio", "agents/dennis"}},
                             {"first_new_song", {10, 10}}})
                           .dump() +
                       "\n";
  for (int n = 0; n < 3; ++n) {
    const auto base = fmt::format("songs/{:04d}_{}_{}", n, singers[n], kinds[n]);
    std::filesystem::create_directories(dir / "songs");
    audio::write_wav(dir / (base + ".wav"), sound(kSoundKinds[n], 1.5, rate), rate);
    json song = {{"round", 0}, {"turn", n}, {"song", n}, {"singer", singers[n]}, {"listener", singers[(n + 1) % 3]},
                 {"kind", kinds[n]}, {"parent", n == 0 ? json(nullptr) : json(n - 1)}, {"sigma", 0.0}, {"seed", 100 + n},
                 {"duration_s", 1.5}, {"wav", base + ".wav"}, {"sidecar", base + ".json"},
                 {"line", fmt::format("{} song", kSoundKinds[n])}};
    json sidecar = song;
    sidecar["sample_rate_hz"] = rate;
    sidecar["map"] = {{"Valerio", map_path(n, 1, 3)}, {"Dennis", map_path(-n, 0, 3)}};
    write_text_file(dir / (base + ".json"), sidecar.dump(2));
    song["type"] = "song";
    song["seq"] = n + 1;
    song["time"] = "2026-01-01T00:00:00Z";
    events += song.dump() + "\n";
  }
  events += json({{"seq", 4}, {"type", "session_end"}, {"rounds_done", 1}, {"time", "2026-01-01T00:00:00Z"}}).dump() + "\n";
  write_text_file(dir / "events.jsonl", events);
  json reference = json::array();
  for (int i = 0; i < 20; ++i) reference.push_back({std::cos(i * 0.7) * 2, std::sin(i * 1.3)});
  write_text_file(dir / "map.json", json({{"agents", {{"Valerio", {{"reference", reference}}},
                                                      {"Dennis", {{"reference", reference}}}}}}).dump());
}

}  // namespace mh::test
