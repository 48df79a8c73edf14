#pragma once
/// Mel spectrogram pictures of songs for the report.
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mh::report {

/// An 8-bit RGB picture, top row first.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  ///< height × width × 3
};

/// Colours a dB mel spectrogram [n_mels, frames] (float, any range): the top `range_db` dB
/// below its maximum spread over a dark-to-bright colour map, the lowest band at the bottom
/// row. Throws ShapeError for another rank or an empty spectrogram; InputError when range_db
/// is not positive.
RgbImage mel_db_to_image(const torch::Tensor& mel_db, double range_db = 80.0);

/// Reads an audio file (audio::read_audio, mono at its own rate), computes its dB mel
/// spectrogram with the project's front end (original STFT and 128 Slaney bands up to 16 kHz or
/// the Nyquist frequency) and returns it as PNG bytes. Throws AudioError for unreadable audio.
std::string mel_png_of_audio(const std::filesystem::path& audio_path);

}  // namespace mh::report
