#include "report/mel_image.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "audio/read_audio.hpp"
#include "core/errors.hpp"
#include "dsp/front_end.hpp"
#include "report/png.hpp"

namespace mh::report {
namespace {

// Nine evenly spaced stops of the "inferno" colour map: perceptually ordered, readable in grey.
constexpr std::array<std::array<float, 3>, 9> kStops{{{0, 0, 4},
                                                      {31, 12, 72},
                                                      {85, 15, 109},
                                                      {136, 34, 106},
                                                      {186, 54, 85},
                                                      {227, 89, 51},
                                                      {249, 140, 10},
                                                      {249, 201, 50},
                                                      {252, 255, 164}}};

std::array<std::uint8_t, 3> colour(float t) {
  t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(kStops.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(t), kStops.size() - 2);
  const float f = t - static_cast<float>(i);
  std::array<std::uint8_t, 3> c{};
  for (int k = 0; k < 3; ++k) {
    c[k] = static_cast<std::uint8_t>(std::lround(kStops[i][k] * (1 - f) + kStops[i + 1][k] * f));
  }
  return c;
}

}  // namespace

RgbImage mel_db_to_image(const torch::Tensor& mel_db, double range_db) {
  if (mel_db.dim() != 2 || mel_db.size(0) == 0 || mel_db.size(1) == 0) {
    throw ShapeError(fmt::format("mel spectrogram: got {}, expected [n_mels > 0, frames > 0]",
                                 fmt::join(mel_db.sizes(), ", ")));
  }
  if (!(range_db > 0)) throw InputError(fmt::format("mel image range_db = {} must be positive", range_db));
  const auto db = mel_db.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto a = db.accessor<float, 2>();
  const float top = db.max().item<float>();
  const float bottom = top - static_cast<float>(range_db);
  RgbImage image;
  image.height = static_cast<int>(db.size(0));
  image.width = static_cast<int>(db.size(1));
  image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
  for (int y = 0; y < image.height; ++y) {
    const int band = image.height - 1 - y;  // low frequencies at the bottom
    for (int x = 0; x < image.width; ++x) {
      const float v = a[band][x];
      const auto c = colour(std::isfinite(v) ? (v - bottom) / static_cast<float>(range_db) : 0.0f);
      std::copy(c.begin(), c.end(), image.rgb.begin() + (static_cast<std::size_t>(y) * image.width + x) * 3);
    }
  }
  return image;
}

std::string mel_png_of_audio(const std::filesystem::path& audio_path) {
  const auto buffer = audio::read_audio(audio_path);
  dsp::MelSettings settings;
  settings.sample_rate_hz = buffer.sample_rate_hz;
  settings.fmax_hz = std::min(settings.fmax_hz, buffer.sample_rate_hz / 2.0);
  settings.top_db = 0;  // the picture chooses its own range below the peak
  const dsp::MelFrontEnd front_end(settings);
  torch::NoGradGuard no_grad;
  const auto db = front_end.db(buffer.samples.unsqueeze(0))[0];
  const auto image = mel_db_to_image(db);
  return encode_png_rgb(image.width, image.height, image.rgb);
}

}  // namespace mh::report
