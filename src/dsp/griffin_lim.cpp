#include "dsp/griffin_lim.hpp"

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.hpp"

namespace mh::dsp {
namespace {

// librosa divides by |angles| + tiny(float32); keep the same constant so silent bins behave alike.
constexpr float kTiny = std::numeric_limits<float>::min();

/// Frame geometry of one call: frames live in a full-length buffer of
/// (frames−1)·hop + n_fft samples; the centred signal is the slice [start, start + length).
struct Geometry {
  int64_t frames = 0;
  int64_t full = 0;    ///< samples of the overlap-add buffer
  int64_t start = 0;   ///< first output sample in the buffer
  int64_t length = 0;  ///< output samples
  int64_t pieces = 0;  ///< ceil(n_fft / hop): frame slices summed per hop-sized block
};

/// Sums windowed frames [n, T, n_fft] into [n, full] (a view of a slightly larger buffer).
torch::Tensor overlap_add(const torch::Tensor& frames, const StftSettings& s, const Geometry& g) {
  const int64_t n = frames.size(0);
  const int64_t hop = s.hop_length;
  auto f = frames;
  if (g.pieces * hop != s.n_fft) f = torch::constant_pad_nd(f, {0, g.pieces * hop - s.n_fft}, 0.0);
  const auto blocks = f.view({n, g.frames, g.pieces, hop});
  auto out = torch::empty({n, g.frames + g.pieces - 1, hop}, f.options());
  // Block b receives piece j of frame b−j: copy piece 0, clear the tail, add the others.
  out.narrow(1, 0, g.frames).copy_(blocks.select(2, 0));
  if (g.pieces > 1) out.narrow(1, g.frames, g.pieces - 1).zero_();
  for (int64_t j = 1; j < g.pieces; ++j) out.narrow(1, j, g.frames).add_(blocks.select(2, j));
  return out.view({n, (g.frames + g.pieces - 1) * hop}).narrow(1, 0, g.full);
}

class Engine {
 public:
  Engine(const StftSettings& s, const InversionSettings& settings, const Geometry& g, torch::Device device)
      : s_(s), g_(g), iterations_(settings.griffin_lim_iterations),
        carry_(settings.momentum / (1.0 + settings.momentum)) {
    window_ = hann_window(s, device);
    // 1 / Σ w² where it is not vanishingly small (as librosa and torch's istft), and 0 outside
    // the output slice: trimming to the centred signal and zero-padding it again for the
    // re-analysis is the same as zeroing those samples of the buffer.
    const auto squares = (window_ * window_).expand({1, g.frames, s.n_fft}).contiguous();
    const auto envelope = overlap_add(squares, s, g).squeeze(0);
    auto inverse = torch::where(envelope > kTiny, envelope.reciprocal(), torch::ones_like(envelope));
    auto mask = torch::zeros_like(inverse);
    const int64_t stop = std::min(g.full, g.start + g.length);
    if (stop > g.start) mask.narrow(0, g.start, stop - g.start).fill_(1.0);
    normaliser_ = (inverse * mask).contiguous();
  }

  /// magnitude [n, T, F] float32, spectrum [n, T, F] complex64 (the first estimate).
  torch::Tensor run(const torch::Tensor& magnitude, torch::Tensor spectrum) const {
    torch::Tensor previous;
    for (int i = 0; i < iterations_; ++i) {
      const auto rebuilt = analyse(synthesise(spectrum));
      const auto rebuilt_ri = torch::view_as_real(rebuilt);
      // Complex arithmetic is done on real views: LibTorch 1.13 vectorises it far better.
      const auto angles_ri = previous.defined()
                                 ? torch::sub(rebuilt_ri, torch::view_as_real(previous), carry_)
                                 : rebuilt_ri;
      auto scale = torch::view_as_complex(angles_ri).abs().add_(kTiny);
      // S / (|a| + tiny) overflows only where a == 0; the clamp keeps 0 · scale finite there.
      torch::div_out(scale, magnitude, scale).clamp_max_(std::numeric_limits<float>::max());
      spectrum = torch::view_as_complex(angles_ri * scale.unsqueeze(-1));
      previous = rebuilt;
    }
    const auto buffer = synthesise(spectrum);
    const int64_t available = std::max<int64_t>(0, std::min(g_.length, g_.full - g_.start));
    auto out = buffer.narrow(1, g_.start, available);
    if (available < g_.length) out = torch::constant_pad_nd(out, {0, g_.length - available}, 0.0);
    return out.contiguous();
  }

 private:
  /// [n, T, F] complex → normalised, masked overlap-add buffer [n, full].
  torch::Tensor synthesise(const torch::Tensor& spectrum) const {
    auto frames = torch::fft_irfft(spectrum, s_.n_fft, -1);
    frames.mul_(window_);
    auto buffer = overlap_add(frames, s_, g_);
    buffer.mul_(normaliser_);
    return buffer;
  }

  /// [n, full] buffer → [n, T, F] complex spectrum of its windowed frames.
  torch::Tensor analyse(const torch::Tensor& buffer) const {
    const auto frames = buffer.as_strided({buffer.size(0), g_.frames, s_.n_fft},
                                          {buffer.stride(0), s_.hop_length, 1}, buffer.storage_offset());
    return torch::fft_rfft(frames * window_, c10::nullopt, -1);
  }

  StftSettings s_;
  Geometry g_;
  int iterations_;
  double carry_;
  torch::Tensor window_;
  torch::Tensor normaliser_;
};

}  // namespace

GriffinLim::GriffinLim(const StftSettings& stft, const InversionSettings& settings)
    : stft_(stft), settings_(settings) {
  stft_.validate();
  settings_.validate();
}

torch::Tensor GriffinLim::operator()(const torch::Tensor& magnitude, torch::Generator& gen, int64_t length) const {
  torch::NoGradGuard no_grad;
  if (magnitude.dim() != 2 && magnitude.dim() != 3) {
    throw ShapeError(fmt::format("griffin_lim: got {} dimensions, expected [N, {}, frames] or [{}, frames]",
                                 magnitude.dim(), stft_.n_freqs(), stft_.n_freqs()));
  }
  const auto batched = magnitude.dim() == 3 ? magnitude : magnitude.unsqueeze(0);
  if (batched.size(1) != stft_.n_freqs() || batched.size(2) < 1) {
    throw ShapeError(fmt::format("griffin_lim: got [{}, {}, {}], expected [N, {}, frames >= 1]", batched.size(0),
                                 batched.size(1), batched.size(2), stft_.n_freqs()));
  }
  Geometry g;
  g.frames = batched.size(2);
  g.full = (g.frames - 1) * stft_.hop_length + stft_.n_fft;
  g.start = stft_.center ? stft_.n_fft / 2 : 0;
  g.length = length >= 0 ? length : (stft_.center ? (g.frames - 1) * stft_.hop_length : g.full);
  g.pieces = (stft_.n_fft + stft_.hop_length - 1) / stft_.hop_length;
  if (stft_.n_frames(g.length) != g.frames) {
    throw ShapeError(fmt::format("griffin_lim: length {} gives {} frames, expected {}", g.length,
                                 stft_.n_frames(g.length), g.frames));
  }
  const auto device = batched.device();
  const int64_t n = batched.size(0);
  if (n == 0) return torch::zeros({0, g.length}, batched.options().dtype(torch::kFloat32));
  // [N, T, F]: each frame's bins contiguous for the transforms along the last dimension.
  const auto mag = batched.to(torch::kFloat32).transpose(1, 2).contiguous();

  torch::Tensor spectrum;
  if (settings_.init == InversionSettings::Init::kRandom) {
    // Drawn in the public [N, F, T] layout on the generator's device: the phases depend only on
    // the generator, never on the layout or on the device the work runs on.
    const auto phase = torch::rand({n, stft_.n_freqs(), g.frames}, gen,
                                   torch::TensorOptions().dtype(torch::kFloat32).device(gen.device()))
                           .mul_(2.0 * M_PI)
                           .to(device)
                           .transpose(1, 2);
    spectrum = torch::polar(mag, phase).contiguous();
  } else {
    spectrum = torch::complex(mag, torch::zeros_like(mag));
  }

  const Engine engine(stft_, settings_, g, device);
  torch::Tensor audio;
  if (device.is_cpu() && n > 1) {
    // One snippet at a time per thread: its frames (a few MB) stay in cache through the whole
    // chain of transforms, where a batch-wide pass per operation streams through memory. Plain
    // threads that take the next snippet when they are done, each running its LibTorch ops on
    // itself alone: in an OpenMP region a thread that finishes early spins at the closing barrier,
    // and on a loaded machine that spinning took most of the CPU time.
    audio = torch::empty({n, g.length}, mag.options());
    const int workers = static_cast<int>(std::min<int64_t>(std::max(at::get_num_threads(), 1), n));
    std::atomic<int64_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
      try {
        // Per thread (OpenMP's thread count is a per-thread setting): this thread's ops stay on it.
        at::set_num_threads(1);
        torch::NoGradGuard no_grad_here;
        for (int64_t i = next++; i < n; i = next++) {
          audio.narrow(0, i, 1).copy_(engine.run(mag.narrow(0, i, 1), spectrum.narrow(0, i, 1)));
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = n;
      }
    };
    const int previous_threads = at::get_num_threads();
    std::vector<std::thread> pool;
    for (int w = 1; w < workers; ++w) pool.emplace_back(work);
    work();  // the calling thread works too
    for (auto& t : pool) t.join();
    at::set_num_threads(previous_threads);
    if (failure) std::rethrow_exception(failure);
  } else {
    audio = engine.run(mag, spectrum);
  }
  return magnitude.dim() == 3 ? audio : audio.squeeze(0);
}

}  // namespace mh::dsp
