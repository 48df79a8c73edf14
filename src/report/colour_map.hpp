#pragma once
/// The spectrograms' colour map: matplotlib's "magma" (what librosa.display.specshow users know),
/// perceptually uniform and still ordered when printed in grey, so that a level reads the same
/// in every picture of a report.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace mh::report {

// Every eighth entry of matplotlib's 256-entry magma table (BIDS colormaps, CC0) and its last:
// linear interpolation between them stays within 2 levels of the full table.
inline constexpr std::array<std::array<std::uint8_t, 3>, 33> kMagma{{
    {0, 0, 4},       {3, 3, 18},      {10, 8, 34},     {19, 13, 52},    {29, 17, 71},    {41, 17, 90},
    {54, 16, 107},   {68, 15, 118},   {81, 18, 124},   {93, 23, 127},   {106, 28, 129},  {118, 33, 129},
    {131, 38, 129},  {144, 42, 129},  {156, 46, 127},  {170, 51, 125},  {183, 55, 121},  {196, 60, 117},
    {208, 65, 111},  {220, 72, 105},  {231, 82, 99},   {239, 93, 94},   {245, 107, 92},  {249, 121, 93},
    {252, 137, 97},  {253, 152, 105}, {254, 167, 114}, {254, 182, 124}, {254, 196, 136}, {254, 211, 149},
    {253, 226, 163}, {252, 240, 178}, {252, 253, 191},
}};

/// The colour of t in [0, 1] (0: near black, 1: pale yellow); t outside is clamped, NaN is 0.
inline std::array<std::uint8_t, 3> magma(double t) {
  if (!(t > 0)) t = 0;  // NaN included: an undefined level is drawn as the quietest
  const double x = std::min(t, 1.0) * static_cast<double>(kMagma.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(x), kMagma.size() - 2);
  const double f = x - static_cast<double>(i);
  std::array<std::uint8_t, 3> c{};
  for (std::size_t k = 0; k < 3; ++k) {
    c[k] = static_cast<std::uint8_t>(std::lround(kMagma[i][k] * (1 - f) + kMagma[i + 1][k] * f));
  }
  return c;
}

/// A CSS linear-gradient() from the low end (left) to the high end (right), for the colour bar.
inline std::string magma_css_gradient() {
  std::string stops;
  for (std::size_t i = 0; i < kMagma.size(); i += 2) {
    const auto& c = kMagma[i];
    stops += fmt::format(", rgb({},{},{}) {:.1f}%", c[0], c[1], c[2], 100.0 * i / (kMagma.size() - 1));
  }
  return "linear-gradient(to right" + stops + ")";
}

}  // namespace mh::report
