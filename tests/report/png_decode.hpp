#pragma once
/// Decodes PNG bytes to 8-bit RGB with libpng's simplified API, so that tests can look at the
/// pixels the report wrote.
#include <png.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mh::test {

struct DecodedPng {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  ///< height × width × 3, top row first

  double luma(int x, int y) const {
    const auto* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
    return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
  }
  double row_luma(int y) const {
    double sum = 0;
    for (int x = 0; x < width; ++x) sum += luma(x, y);
    return sum / width;
  }
  double brightest_row_luma() const {
    double best = 0;
    for (int y = 0; y < height; ++y) best = std::max(best, row_luma(y));
    return best;
  }
  double darkest_row_luma() const {
    double least = 255;
    for (int y = 0; y < height; ++y) least = std::min(least, row_luma(y));
    return least;
  }
  double mean_luma() const {
    double sum = 0;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) sum += luma(x, y);
    return sum / (static_cast<double>(width) * height);
  }
};

inline DecodedPng decode_png(const std::string& bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    throw std::runtime_error(std::string("not a PNG: ") + image.message);
  }
  image.format = PNG_FORMAT_RGB;
  DecodedPng out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    png_image_free(&image);
    throw std::runtime_error(std::string("PNG decoding failed: ") + image.message);
  }
  return out;
}

}  // namespace mh::test
