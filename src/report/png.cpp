#include "report/png.hpp"

#include <fmt/format.h>
#include <png.h>

#include <algorithm>
#include <csetjmp>

#include "core/errors.hpp"

namespace mh::report {
namespace {

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void no_flush(png_structp) {}

}  // namespace

namespace {

/// Writes one image; `setup` sets its header (and palette) on libpng's structs. Rows are
/// `row_bytes` apart in `pixels`.
template <typename Setup>
std::string encode_png(int height, std::size_t row_bytes, const std::uint8_t* pixels, Setup setup) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) throw IoError("PNG encoder: out of memory");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    throw IoError("PNG encoder: out of memory");
  }
  std::string out;
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  // libpng reports failures by longjmp: nothing with a destructor may be created below this.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw IoError("PNG encoder failed");
  }
  png_set_write_fn(png, &out, append_bytes, no_flush);
  setup(png, info);
  for (int y = 0; y < height; ++y) {
    rows[static_cast<std::size_t>(y)] = const_cast<png_bytep>(pixels + static_cast<std::size_t>(y) * row_bytes);
  }
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace

std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb) {
  if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3) {
    throw ShapeError(fmt::format("PNG image of {} × {} pixels needs {} RGB bytes, got {}", width, height,
                                 static_cast<long long>(width) * height * 3, rgb.size()));
  }
  return encode_png(height, static_cast<std::size_t>(width) * 3, rgb.data(), [&](png_structp png, png_infop info) {
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  });
}

std::string encode_png_indexed(int width, int height, const std::vector<std::uint8_t>& indices,
                               const std::vector<std::array<std::uint8_t, 3>>& palette) {
  if (width <= 0 || height <= 0 || indices.size() != static_cast<std::size_t>(width) * height) {
    throw ShapeError(fmt::format("PNG image of {} × {} pixels needs {} palette indices, got {}", width, height,
                                 static_cast<long long>(width) * height, indices.size()));
  }
  if (palette.empty() || palette.size() > 256) {
    throw ShapeError(fmt::format("a PNG palette holds 1 to 256 colours, got {}", palette.size()));
  }
  const auto top = *std::max_element(indices.begin(), indices.end());
  if (top >= palette.size()) {
    throw ShapeError(fmt::format("palette index {} outside a palette of {} colours", top, palette.size()));
  }
  std::vector<png_color> colours;
  for (const auto& c : palette) colours.push_back(png_color{c[0], c[1], c[2]});
  return encode_png(height, static_cast<std::size_t>(width), indices.data(), [&](png_structp png, png_infop info) {
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
                 PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_PLTE(png, info, colours.data(), static_cast<int>(colours.size()));
  });
}

}  // namespace mh::report
