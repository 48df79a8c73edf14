#pragma once
/// PNG encoding (libpng) of 8-bit RGB and palette images, to memory: the caller decides where bytes go.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mh::report {

/// Encodes `rgb` (height rows of width × 3 bytes, top row first) as a PNG file's bytes.
/// Throws ShapeError when width or height is not positive or rgb.size() != width·height·3 (the
/// caller's bug, not the user's input); IoError when libpng fails.
std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb);

/// Encodes `indices` (height rows of width bytes, top row first) into `palette` (at most 256
/// colours) as a palette PNG: a third of RGB's bytes for pictures of one colour scale. Throws
/// ShapeError for sizes that do not fit or an index outside the palette; IoError when libpng fails.
std::string encode_png_indexed(int width, int height, const std::vector<std::uint8_t>& indices,
                               const std::vector<std::array<std::uint8_t, 3>>& palette);

}  // namespace mh::report
