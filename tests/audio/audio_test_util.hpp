#pragma once
// Test helpers for the audio stage: synthetic signals, files written directly with libsndfile
// (independent of the code under test) and a frequency estimate.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace mh::audio::test {

/// amplitude·sin(2π·freq·t), `seconds` long at `rate_hz`.
inline std::vector<float> sine(double freq_hz, int rate_hz, double seconds, double amplitude = 0.5) {
  std::vector<float> out(static_cast<std::size_t>(std::llround(seconds * rate_hz)));
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<float>(amplitude * std::sin(2.0 * M_PI * freq_hz * static_cast<double>(i) / rate_hz));
  }
  return out;
}

/// Writes interleaved `frames·channels` samples with libsndfile in `format` (SF_FORMAT_*).
inline void write_with_sndfile(const std::filesystem::path& path, int format, int rate_hz, int channels,
                               const std::vector<float>& interleaved) {
  SF_INFO info{};
  info.samplerate = rate_hz;
  info.channels = channels;
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr) << path << ": " << sf_strerror(nullptr);
  const auto frames = static_cast<sf_count_t>(interleaved.size()) / channels;
  EXPECT_EQ(sf_writef_float(file, interleaved.data(), frames), frames);
  sf_close(file);
}

/// True when this libsndfile can encode `format` (MP3 and Opus depend on how it was built).
inline bool can_write(int format, int rate_hz = 48000) {
  SF_INFO info{};
  info.samplerate = rate_hz;
  info.channels = 1;
  info.format = format;
  return sf_format_check(&info) == SF_TRUE;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Frequency of the strongest spectral peak, refined by parabolic interpolation of the
/// log-magnitude around the peak bin (Hann window).
inline double dominant_frequency_hz(const torch::Tensor& mono, int rate_hz) {
  const auto x = mono.to(torch::kCPU, torch::kFloat64);
  const auto window = torch::hann_window(x.numel(), torch::TensorOptions().dtype(torch::kFloat64));
  const auto mag = torch::abs(torch::fft::rfft(x * window));
  const auto k = mag.argmax().item<int64_t>();
  double offset = 0.0;
  if (k > 0 && k + 1 < mag.numel()) {
    const double a = std::log(mag[k - 1].item<double>() + 1e-30);
    const double b = std::log(mag[k].item<double>() + 1e-30);
    const double c = std::log(mag[k + 1].item<double>() + 1e-30);
    offset = 0.5 * (a - c) / (a - 2 * b + c);
  }
  return (static_cast<double>(k) + offset) * rate_hz / static_cast<double>(x.numel());
}

/// Runs `action`, expecting an AudioError whose message starts with `path` and contains `words`.
template <typename Action>
void expect_audio_error(Action&& action, const std::filesystem::path& path, const std::string& words) {
  try {
    action();
    ADD_FAILURE() << "expected AudioError for " << path;
  } catch (const AudioError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(words), std::string::npos) << "'" << words << "' not in: " << message;
  }
}

}  // namespace mh::audio::test
