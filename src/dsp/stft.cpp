#include "dsp/stft.hpp"

#include <fmt/format.h>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::dsp {

void StftSettings::validate() const {
  check_range("stft.n_fft", n_fft, 16, 1 << 16);
  check_range("stft.win_length", win_length, 1, n_fft);
  check_range("stft.hop_length", hop_length, 1, n_fft);
}

int64_t StftSettings::n_frames(int64_t samples) const {
  if (center) return 1 + samples / hop_length;
  return samples < n_fft ? 0 : 1 + (samples - n_fft) / hop_length;
}

torch::Tensor hann_window(const StftSettings& s, torch::Device device) {
  // ref: scipy.signal.get_window('hann', N, fftbins=True), librosa.util.pad_center
  auto w = torch::hann_window(s.win_length, /*periodic=*/true, torch::TensorOptions().dtype(torch::kFloat32));
  const int64_t left = (s.n_fft - s.win_length) / 2;
  if (left > 0 || s.win_length < s.n_fft) {
    w = torch::constant_pad_nd(w, {left, s.n_fft - s.win_length - left}, 0.0);
  }
  return w.to(device);
}

torch::Tensor stft(const torch::Tensor& signal, const StftSettings& s) {
  return stft(signal, s, hann_window(s, signal.device()));
}

torch::Tensor stft(const torch::Tensor& signal, const StftSettings& s, const torch::Tensor& window) {
  if (window.dim() != 1 || window.size(0) != s.n_fft) {
    throw ShapeError(fmt::format("stft: window has shape [{}], expected [{}]", fmt::join(window.sizes(), ", "), s.n_fft));
  }
  if (signal.dim() != 1 && signal.dim() != 2) {
    throw ShapeError(fmt::format("stft: signal has {} dimensions, expected [samples] or [batch, samples]", signal.dim()));
  }
  auto x = signal.to(torch::kFloat32);
  if (s.center) {
    const int64_t pad = s.n_fft / 2;
    x = torch::constant_pad_nd(x, {pad, pad}, 0.0);
  }
  if (x.size(-1) < s.n_fft) {
    throw ShapeError(fmt::format("stft: {} samples is shorter than n_fft {}", signal.size(-1), s.n_fft));
  }
  return torch::stft(x, s.n_fft, s.hop_length, s.n_fft, window.to(x.device(), torch::kFloat32),
                     /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true);
}

torch::Tensor istft(const torch::Tensor& spec, const StftSettings& s, int64_t length) {
  if (spec.dim() != 2 && spec.dim() != 3) {
    throw ShapeError(fmt::format("istft: spectrogram has {} dimensions, expected [(batch,) freqs, frames]", spec.dim()));
  }
  if (spec.size(-2) != s.n_freqs()) {
    throw ShapeError(fmt::format("istft: got {} frequency bins, expected {}", spec.size(-2), s.n_freqs()));
  }
  const auto window = hann_window(s, spec.device());
  c10::optional<int64_t> len;
  if (length >= 0) len = length;
  return torch::istft(spec, s.n_fft, s.hop_length, s.n_fft, window, s.center, /*normalized=*/false,
                      /*onesided=*/true, len, /*return_complex=*/false);
}

}  // namespace mh::dsp
