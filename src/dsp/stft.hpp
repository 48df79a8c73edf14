#pragma once
/// Short-time Fourier transform with librosa's conventions: periodic Hann window of win_length
/// centred in n_fft, frames centred (n_fft/2 zero padding on both sides, librosa >= 0.9's
/// pad_mode='constant'), X[k] = Σ x[n] e^{-2πikn/N}. Pure functions on tensors.
#include <torch/torch.h>

#include <complex>
#include <memory>
#include <string>
#include <vector>

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::dsp {

struct StftSettings {
  int n_fft = 1380;       ///< FFT size in samples (any size; 1380 = 2²·3·5·23)
  int win_length = 1380;  ///< window length in samples, <= n_fft
  int hop_length = 690;   ///< hop in samples, >= 1
  bool center = true;     ///< centre frames with n_fft/2 zero padding

  /// Throws SettingsError naming the field, the value and the allowed range.
  /// `prefix` names the table the fields are read from (the [mel] table of a settings file).
  void validate(const std::string& prefix = "stft.") const;
  int n_freqs() const { return n_fft / 2 + 1; }
  /// Frames for `samples` input samples: 1 + samples/hop centred, 1 + (samples-n_fft)/hop not.
  int64_t n_frames(int64_t samples) const;
};

/// n_fft, win_length and hop_length (the [mel] table of a settings file holds them).
const std::vector<Field<StftSettings>>& stft_fields();

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

/// A planned single-precision FFTW real FFT of n points, forward (r2c) and inverse (c2r), both
/// unnormalised. Planned once (FFTW_ESTIMATE: the plan, and so the rounding, is the same in every
/// run); the transforms may run from any number of threads at once. Buffers must come from
/// FftBuffer (SIMD-aligned like the planning buffers).
class RealFft {
 public:
  /// Throws SettingsError for n < 2, Error if FFTW cannot plan it.
  explicit RealFft(int n);
  int size() const { return n_; }
  int n_freqs() const { return n_ / 2 + 1; }
  /// in [n] → out [n/2+1]: X[k] = Σ x[j] e^{−2πijk/n}. `in` is left as it was.
  void forward(const float* in, std::complex<float>* out) const;
  /// in [n/2+1] → out [n]: x[j] = Σ_k X[k] e^{2πijk/n} over the full Hermitian spectrum (not divided
  /// by n; the imaginary parts of the DC and Nyquist bins are ignored). `in` is overwritten.
  void inverse(std::complex<float>* in, float* out) const;

 private:
  int n_ = 0;
  std::shared_ptr<void> forward_;  // fftwf_plan, destroyed under the planner lock
  std::shared_ptr<void> inverse_;
};

/// An FFTW-aligned scratch array of `count` T (float or std::complex<float>), uninitialised.
template <typename T>
class FftBuffer {
 public:
  explicit FftBuffer(size_t count);
  ~FftBuffer();
  FftBuffer(const FftBuffer&) = delete;
  FftBuffer& operator=(const FftBuffer&) = delete;
  T* data() const { return data_; }
  T& operator[](size_t i) const { return data_[i]; }

 private:
  T* data_;
};

extern template class FftBuffer<float>;
extern template class FftBuffer<std::complex<float>>;

}  // namespace mh::dsp
