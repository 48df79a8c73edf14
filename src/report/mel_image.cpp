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

RgbImage mel_db_to_image(const torch::Tensor& mel_db, const DbRange& range) {
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
  RgbImage image;
  image.height = static_cast<int>(db.size(0));
  image.width = static_cast<int>(db.size(1));
  image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
  for (int y = 0; y < image.height; ++y) {
    const int band = image.height - 1 - y;  // low frequencies at the bottom
    for (int x = 0; x < image.width; ++x) {
      const auto c = magma((a[band][x] - bottom) / range.range_db);
      std::copy(c.begin(), c.end(), image.rgb.begin() + (static_cast<std::size_t>(y) * image.width + x) * 3);
    }
  }
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
  const auto image = mel_db_to_image(mel_db, range);
  return encode_png_rgb(image.width, image.height, image.rgb);
}

}  // namespace mh::report
