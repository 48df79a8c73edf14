#pragma once
/// Tiny agents for the agent tests: 0.25-s snippets of 128 × 16, the fast ML1 with 8 latent
/// dimensions, a small ML2, and a handful of generated songs of a few seconds (one of them a
/// single snippet long). Building one takes about a second; tests copy a prepared one.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "audio/write_wav.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh::test {

inline agent::AgentSettings tiny_agent_settings() {
  agent::AgentSettings s;
  s.name = "Tiny";
  s.preset = "0.25_16";
  s.device = "cpu";
  s.front_end = dsp::front_end_preset("0.25_16");
  s.front_end.snippet.silence_window_seconds = 0.25;
  s.voice.griffin_lim_iterations = 4;
  s.ingest.split.validation_fraction = 0.2;
  s.ingest.split.reference_fraction = 0.0;
  s.ml1.preset = "fast";
  s.ml1.latent_dim = 8;
  s.ml1.epochs = 1;
  s.ml1.batch_size = 16;
  s.ml2.latent_dim = 4;
  s.ml2.hidden = 16;
  s.ml2.max_length = 64;
  s.ml2.epochs = 2;
  s.ml2.batch_size = 2;
  return s;
}

/// A song of two partials with a slow vibrato, 44.1 kHz.
inline void write_tone(const std::filesystem::path& path, double seconds, double hz) {
  constexpr int kRate = 44100;
  const auto t = torch::arange(static_cast<int64_t>(seconds * kRate), torch::kFloat64) / kRate;
  const auto phase = 2 * M_PI * hz * t + 0.3 * torch::sin(2 * M_PI * 5.0 * t);
  audio::write_wav(path, (0.3 * torch::sin(phase) + 0.1 * torch::sin(2 * phase)).to(torch::kFloat32), kRate);
}

/// Writes the tiny corpus into `folder`: six songs of 2 to 3.25 s and one of 0.2 s.
inline std::vector<std::filesystem::path> write_tiny_corpus(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 6; ++i) {
    files.push_back(folder / ("tone" + std::to_string(i) + ".wav"));
    write_tone(files.back(), 2.0 + 0.25 * i, 220.0 * std::pow(1.26, i));
  }
  files.push_back(folder / "blip.wav");
  write_tone(files.back(), 0.2, 660.0);
  return files;
}

/// Copies a prepared agent folder.
inline void copy_agent(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

/// Flips one byte in the middle of a file.
inline void flip_byte(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
  write_file_atomic(path, bytes);
}

/// Prepared once per test program: an ingested tiny agent ("ingested"), the same with ML1
/// trained ("ml1") and with ML2 trained too ("ml2"), under one temporary folder.
class TinyAgents {
 public:
  static const TinyAgents& get() {
    static const TinyAgents agents;
    return agents;
  }
  std::filesystem::path ingested() const { return dir_ / "ingested"; }
  std::filesystem::path ml1() const { return dir_ / "ml1"; }
  std::filesystem::path ml2() const { return dir_ / "ml2"; }
  std::filesystem::path corpus() const { return dir_ / "corpus"; }

 private:
  TinyAgents() {
    write_tiny_corpus(corpus());
    {
      auto a = agent::Agent::create(ingested(), tiny_agent_settings());
      a.ingest({corpus()});
    }
    copy_agent(ingested(), ml1());
    {
      auto a = agent::Agent::open(ml1());
      a.train_ml1({});
    }
    copy_agent(ml1(), ml2());
    {
      auto a = agent::Agent::open(ml2());
      a.train_ml2({});
    }
  }
  TempDir dir_;
};

}  // namespace mh::test
