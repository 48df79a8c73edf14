#pragma once
/// Short-time Fourier transform with librosa's conventions: periodic Hann window of win_length
/// centred in n_fft, frames centred (n_fft/2 zero padding on both sides, librosa >= 0.9's
/// pad_mode='constant'), X[k] = Σ x[n] e^{-2πikn/N}. Pure functions on tensors.
#include <torch/torch.h>

namespace mh::dsp {

struct StftSettings {
  int n_fft = 1380;       ///< FFT size in samples (any size; 1380 = 2²·3·5·23)
  int win_length = 1380;  ///< window length in samples, <= n_fft
  int hop_length = 690;   ///< hop in samples, >= 1
  bool center = true;     ///< centre frames with n_fft/2 zero padding

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
  int n_freqs() const { return n_fft / 2 + 1; }
  /// Frames for `samples` input samples: 1 + samples/hop centred, 1 + (samples-n_fft)/hop not.
  int64_t n_frames(int64_t samples) const;
};

/// Periodic Hann window of win_length zero-padded (centred) to n_fft; float32, on `device`.
torch::Tensor hann_window(const StftSettings& s, torch::Device device = torch::kCPU);

/// signal: [samples] or [batch, samples] float32 → complex64 [(batch,) n_freqs, frames].
torch::Tensor stft(const torch::Tensor& signal, const StftSettings& s);
/// As above with an explicit analysis window (float32 [n_fft], e.g. all ones for a rectangular
/// window). Throws ShapeError when the window is not [n_fft].
torch::Tensor stft(const torch::Tensor& signal, const StftSettings& s, const torch::Tensor& window);

/// Inverse of stft by weighted overlap-add (divides by the summed squared window).
/// spec: [(batch,) n_freqs, frames] complex → [(batch,) length] float32. length < 0: (frames-1)*hop.
torch::Tensor istft(const torch::Tensor& spec, const StftSettings& s, int64_t length = -1);

}  // namespace mh::dsp
