#include "report/mel_image.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "audio/read_audio.hpp"
#include "core/errors.hpp"
#include "dsp/front_end.hpp"
#include "report/colour_map.hpp"
#include "report/png.hpp"

namespace mh::report {

double silence_db() { return 10.0 * std::log10(dsp::MelSettings{}.amin); }

DbRange session_db_range(double peak_db, double range_db) {
  if (!(range_db > 0)) throw InputError(fmt::format("mel image range_db = {} must be positive", range_db));
  DbRange range;
  range.range_db = range_db;
  // Rounded so that a report redrawn from the same songs finds the same range to the last digit.
  const double top = std::isfinite(peak_db) ? std::ceil(peak_db * 10.0) / 10.0 : silence_db();
  range.top_db = std::max(top, silence_db() + range_db);
  return range;
}

namespace {

/// Calls f(y, x, t) for every pixel of the picture of `mel_db` (low frequencies at the bottom),
/// t being its level on `range`: 0 at the dark end, 1 at the bright end, outside or NaN as it is.
template <typename F>
void for_each_pixel(const torch::Tensor& mel_db, const DbRange& range, F f) {
  if (mel_db.dim() != 2 || mel_db.size(0) == 0 || mel_db.size(1) == 0) {
    throw ShapeError(fmt::format("mel spectrogram: got {}, expected [n_mels > 0, frames > 0]",
                                 fmt::join(mel_db.sizes(), ", ")));
  }
  if (!(range.range_db > 0)) {
    throw InputError(fmt::format("mel image range_db = {} must be positive", range.range_db));
  }
  const auto db = mel_db.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto a = db.accessor<float, 2>();
  const double bottom = range.bottom_db();
  const int height = static_cast<int>(db.size(0)), width = static_cast<int>(db.size(1));
  for (int y = 0; y < height; ++y) {
    const int band = height - 1 - y;
    for (int x = 0; x < width; ++x) f(y, x, (a[band][x] - bottom) / range.range_db);
  }
}

}  // namespace

RgbImage mel_db_to_image(const torch::Tensor& mel_db, const DbRange& range) {
  RgbImage image;
  image.height = mel_db.dim() == 2 ? static_cast<int>(mel_db.size(0)) : 0;
  image.width = mel_db.dim() == 2 ? static_cast<int>(mel_db.size(1)) : 0;
  image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
  for_each_pixel(mel_db, range, [&](int y, int x, double t) {
    const auto c = magma(t);
    std::copy(c.begin(), c.end(), image.rgb.begin() + (static_cast<std::size_t>(y) * image.width + x) * 3);
  });
  return image;
}

torch::Tensor mel_db_of_audio(const std::filesystem::path& audio_path) {
  const auto buffer = audio::read_audio(audio_path);
  dsp::MelSettings settings;
  settings.sample_rate_hz = buffer.sample_rate_hz;
  settings.fmax_hz = std::min(settings.fmax_hz, buffer.sample_rate_hz / 2.0);
  settings.top_db = 0;  // the report's shared range decides what is dark, not each song's peak
  const dsp::MelFrontEnd front_end(settings);
  torch::NoGradGuard no_grad;
  return front_end.db(buffer.samples.unsqueeze(0))[0];
}

std::string mel_png(const torch::Tensor& mel_db, const DbRange& range) {
  // 256 steps of the colour scale (0.3 dB each over 80 dB) as a palette: the picture looks the
  // same and takes under half the disk, which a week of songs makes gigabytes.
  constexpr int kLevels = 256;
  const int height = mel_db.dim() == 2 ? static_cast<int>(mel_db.size(0)) : 0;
  const int width = mel_db.dim() == 2 ? static_cast<int>(mel_db.size(1)) : 0;
  std::vector<std::uint8_t> indices(static_cast<std::size_t>(width) * height);
  for_each_pixel(mel_db, range, [&](int y, int x, double t) {
    if (!(t > 0)) t = 0;  // NaN included, as magma() draws it
    indices[static_cast<std::size_t>(y) * width + x] = static_cast<std::uint8_t>(std::lround(std::min(t, 1.0) * (kLevels - 1)));
  });
  std::vector<std::array<std::uint8_t, 3>> palette;
  for (int i = 0; i < kLevels; ++i) palette.push_back(magma(static_cast<double>(i) / (kLevels - 1)));
  return encode_png_indexed(width, height, indices, palette);
}

}  // namespace mh::report
