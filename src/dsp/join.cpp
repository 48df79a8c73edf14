#include "dsp/join.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"

namespace mh::dsp {

torch::Tensor trim_to_rising_zero_crossings(const torch::Tensor& pcm) {
  if (pcm.dim() != 1) {
    throw ShapeError(fmt::format("trim_to_rising_zero_crossings: got {} dimensions, expected [samples]", pcm.dim()));
  }
  if (pcm.size(0) < 2) return pcm;
  const auto rising = torch::logical_and(pcm.narrow(0, 0, pcm.size(0) - 1) < 0, pcm.narrow(0, 1, pcm.size(0) - 1) > 0);
  const auto where = torch::nonzero(rising).flatten().to(torch::kCPU);
  if (where.numel() == 0) return pcm;
  const int64_t first = where[0].item<int64_t>();
  const int64_t last = where[where.numel() - 1].item<int64_t>();
  return pcm.narrow(0, first, last - first);
}

std::pair<torch::Tensor, torch::Tensor> equal_power_gains(int64_t fade_samples, torch::Device device) {
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  const auto ramp = torch::linspace(-1.0, 1.0, fade_samples, opts);
  // The square roots are taken in float64, as the original's NumPy gains, then stored as float32.
  return {((1.0 + ramp) * 0.5).sqrt().to(torch::kFloat32), ((1.0 - ramp) * 0.5).clamp_min(0.0).sqrt().to(torch::kFloat32)};
}

std::vector<int64_t> crossfade_starts(const std::vector<int64_t>& lengths, int64_t fade_samples) {
  if (fade_samples < 0) {
    throw SettingsError(fmt::format("crossfade_samples = {} is out of range: must be at least 0", fade_samples));
  }
  std::vector<int64_t> starts(lengths.size(), 0);
  int64_t end = lengths.empty() ? 0 : lengths.front();
  for (size_t i = 1; i < lengths.size(); ++i) {
    // A joint where either side is shorter than the fade uses the shorter length.
    const int64_t fade = std::min({fade_samples, end, lengths[i]});
    starts[i] = end - fade;
    end = starts[i] + lengths[i];
  }
  return starts;
}

torch::Tensor crossfade_join(const std::vector<torch::Tensor>& pieces, int64_t fade_samples) {
  if (fade_samples < 0) {
    throw SettingsError(fmt::format("crossfade_samples = {} is out of range: must be at least 0", fade_samples));
  }
  if (pieces.empty()) return torch::empty({0}, torch::kFloat32);
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].dim() != 1) {
      throw ShapeError(fmt::format("crossfade_join: piece {} has {} dimensions, expected [samples]", i, pieces[i].dim()));
    }
  }
  const auto device = pieces.front().device();
  // Where each piece starts, so the output can be allocated once.
  std::vector<int64_t> lengths;
  for (const auto& p : pieces) lengths.push_back(p.size(0));
  const auto starts = crossfade_starts(lengths, fade_samples);
  std::vector<int64_t> fades(pieces.size(), 0);
  for (size_t i = 1; i < pieces.size(); ++i) fades[i] = starts[i - 1] + lengths[i - 1] - starts[i];
  const int64_t total = starts.back() + lengths.back();
  auto out = torch::empty({total}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  int64_t end = pieces.front().size(0);
  out.narrow(0, 0, end).copy_(pieces.front());
  torch::Tensor fade_in, fade_out;
  int64_t gains_for = -1;
  for (size_t i = 1; i < pieces.size(); ++i) {
    const auto piece = pieces[i].to(out.options());
    const int64_t f = fades[i];
    if (f > 0) {
      if (gains_for != f) {
        std::tie(fade_in, fade_out) = equal_power_gains(f, device);
        gains_for = f;
      }
      auto joint = out.narrow(0, end - f, f);
      joint.mul_(fade_out).add_(piece.narrow(0, 0, f) * fade_in);
    }
    out.narrow(0, end, piece.size(0) - f).copy_(piece.narrow(0, f, piece.size(0) - f));
    end += piece.size(0) - f;
  }
  return out;
}

}  // namespace mh::dsp
