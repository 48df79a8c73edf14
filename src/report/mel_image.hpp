#pragma once
/// Mel spectrogram pictures of songs for the report, all of one report drawn on one dB scale so
/// that a colour means the same level in every picture (per-picture scaling made a quiet noise
/// floor as bright as a loud note).
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

/// The levels a report's pictures share: `top_db` at the bright end of the colour map,
/// `top_db - range_db` and below at the dark end.
struct DbRange {
  double top_db = 0;
  double range_db = 80;
  double bottom_db() const { return top_db - range_db; }
};

/// The dB value of digital silence in the project's front end: 10·log10(amin).
double silence_db();

/// The range for a session whose loudest mel bin is `peak_db`: that peak (rounded up to 0.1 dB)
/// at the top and `range_db` below it, except that the top never lies less than range_db above
/// silence_db(), so that silence is dark even in a session of near-silent songs. Throws
/// InputError when range_db is not positive.
DbRange session_db_range(double peak_db, double range_db = 80.0);

/// Colours a dB mel spectrogram [n_mels, frames] (float) on `range` with the magma colour map,
/// the lowest band at the bottom row. Throws ShapeError for another rank or an empty
/// spectrogram; InputError when range.range_db is not positive.
RgbImage mel_db_to_image(const torch::Tensor& mel_db, const DbRange& range);

/// Reads an audio file (audio::read_audio, mono at its own rate) and computes its dB mel
/// spectrogram [n_mels, frames] with the project's front end (original STFT, 128 Slaney bands up
/// to 16 kHz or the Nyquist frequency, no per-snippet floor). Throws AudioError for unreadable
/// audio.
torch::Tensor mel_db_of_audio(const std::filesystem::path& audio_path);

/// mel_db_to_image encoded as PNG bytes.
std::string mel_png(const torch::Tensor& mel_db, const DbRange& range);

}  // namespace mh::report
