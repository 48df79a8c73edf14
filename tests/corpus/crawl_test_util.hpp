#pragma once
// Libraries of synthetic songs for the crawl tests.
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "audio/write_wav.hpp"

namespace mh::corpus::test {

constexpr int kToneRateHz = 22050;

/// A sine of `hz` lasting `seconds`, written as a 16-bit WAV.
inline void write_tone(const std::filesystem::path& path, double hz, double seconds = 3.0) {
  const auto t = torch::arange(static_cast<int64_t>(seconds * kToneRateHz), torch::kFloat64) / kToneRateHz;
  audio::write_wav(path, (0.5 * torch::sin(2 * M_PI * hz * t)).to(torch::kFloat32), kToneRateHz);
}

/// The semitone `k` above A3 (220 Hz).
inline double semitone_hz(int k) { return 220.0 * std::pow(2.0, k / 12.0); }

/// tone_00.wav … tone_<n-1>.wav: semitones upwards from A3, so that name order is pitch order.
inline void write_tone_library(const std::filesystem::path& dir, int n, double seconds = 3.0) {
  std::filesystem::create_directories(dir);
  for (int k = 0; k < n; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "tone_%02d.wav", k);
    write_tone(dir / name, semitone_hz(k), seconds);
  }
}

inline std::string tone_name(int k) {
  char name[32];
  std::snprintf(name, sizeof name, "tone_%02d.wav", k);
  return name;
}

}  // namespace mh::corpus::test
