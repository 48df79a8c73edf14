#pragma once
/// PNG encoding (libpng) of 8-bit RGB images, to memory: the caller decides where bytes go.
#include <cstdint>
#include <string>
#include <vector>

namespace mh::report {

/// Encodes `rgb` (height rows of width × 3 bytes, top row first) as a PNG file's bytes.
/// Throws ShapeError when width or height is not positive or rgb.size() != width·height·3 (the
/// caller's bug, not the user's input); IoError when libpng fails.
std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb);

}  // namespace mh::report
