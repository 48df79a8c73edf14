#include "dsp/stft.hpp"

#include <fftw3.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <new>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/settings_fields.hpp"

namespace mh::dsp {

const FieldTable<StftSettings>& stft_fields() {
  static const FieldTable<StftSettings> table{
      {"n_fft", "FFT size in samples", &StftSettings::n_fft, 16, 1 << 16},
      {"win_length", "window length in samples, 1 to n_fft", &StftSettings::win_length},
      {"hop_length", "hop in samples, 1 to n_fft", &StftSettings::hop_length},
  };
  return table;
}

void StftSettings::validate(const std::string& prefix) const {
  validate_fields(stft_fields(), *this, prefix);
  check_range(prefix + "win_length", win_length, 1, n_fft);
  check_range(prefix + "hop_length", hop_length, 1, n_fft);
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

namespace {

// FFTW's planner is not thread-safe (executing a plan on new arrays is).
std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

std::shared_ptr<void> own_plan(fftwf_plan plan) {
  return std::shared_ptr<void>(plan, [](void* p) {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    fftwf_destroy_plan(static_cast<fftwf_plan>(p));
  });
}

}  // namespace

template <typename T>
FftBuffer<T>::FftBuffer(size_t count) : data_(static_cast<T*>(fftwf_malloc(std::max<size_t>(count, 1) * sizeof(T)))) {
  if (data_ == nullptr) throw std::bad_alloc();
}

template <typename T>
FftBuffer<T>::~FftBuffer() {
  fftwf_free(data_);
}

template class FftBuffer<float>;
template class FftBuffer<std::complex<float>>;

RealFft::RealFft(int n) : n_(n) {
  check_range("fft size", n, 2, 1 << 24);
  FftBuffer<float> real(static_cast<size_t>(n));
  FftBuffer<std::complex<float>> spectrum(static_cast<size_t>(n / 2 + 1));
  auto* c = reinterpret_cast<fftwf_complex*>(spectrum.data());
  fftwf_plan forward = nullptr;
  fftwf_plan inverse = nullptr;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    // FFTW_ESTIMATE plans without timing anything, so it never touches the buffers and picks the
    // same plan in every run (for 1380 points, the same one FFTW_MEASURE picks).
    forward = fftwf_plan_dft_r2c_1d(n, real.data(), c, FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
    inverse = fftwf_plan_dft_c2r_1d(n, c, real.data(), FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  }
  // The deleters take the planner lock themselves.
  if (forward != nullptr) forward_ = own_plan(forward);
  if (inverse != nullptr) inverse_ = own_plan(inverse);
  if (forward == nullptr || inverse == nullptr) {
    throw Error(fmt::format("FFTW could not plan a real FFT of {} points", n));
  }
}

void RealFft::forward(const float* in, std::complex<float>* out) const {
  // FFTW_PRESERVE_INPUT: the plan does not write to `in` (FFTW's signature is not const).
  fftwf_execute_dft_r2c(static_cast<fftwf_plan>(forward_.get()), const_cast<float*>(in),
                        reinterpret_cast<fftwf_complex*>(out));
}

void RealFft::inverse(std::complex<float>* in, float* out) const {
  fftwf_execute_dft_c2r(static_cast<fftwf_plan>(inverse_.get()), reinterpret_cast<fftwf_complex*>(in), out);
}

}  // namespace mh::dsp
