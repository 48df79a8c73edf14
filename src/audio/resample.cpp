#include "audio/resample.hpp"

#include <fmt/format.h>
#include <soxr.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::audio {

torch::Tensor resample(const torch::Tensor& mono, int from_hz, int to_hz) {
  if (!mono.defined() || mono.dim() != 1) {
    throw ShapeError(fmt::format("resample: got {}, expected [samples]",
                                 mono.defined() ? fmt::format("[{}]", fmt::join(mono.sizes(), ", ")) : "undefined"));
  }
  check_range("resample from_hz", from_hz, kMinSampleRateHz, kMaxSampleRateHz);
  check_range("resample to_hz", to_hz, kMinSampleRateHz, kMaxSampleRateHz);
  const auto device = mono.device();
  auto in = mono.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  if (from_hz == to_hz) return in.clone().to(device);

  const auto in_len = static_cast<std::size_t>(in.numel());
  // Integer arithmetic: the output length must not depend on floating-point rounding.
  const auto out_len = static_cast<std::size_t>(
      (static_cast<unsigned __int128>(in_len) * static_cast<unsigned>(to_hz) + static_cast<unsigned>(from_hz) / 2) /
      static_cast<unsigned>(from_hz));
  auto out = torch::zeros({static_cast<int64_t>(out_len)}, torch::kFloat32);
  if (in_len == 0 || out_len == 0) return out.to(device);

  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
  // One thread: libsoxr may split work across threads, and results must not depend on timing.
  const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  std::size_t done = 0;
  const soxr_error_t error = soxr_oneshot(from_hz, to_hz, 1, in.data_ptr<float>(), in_len, nullptr,
                                          out.data_ptr<float>(), out_len, &done, &io, &quality, &runtime);
  if (error) throw AudioError(fmt::format("resampling {} Hz to {} Hz failed: {}", from_hz, to_hz, error));
  // libsoxr may deliver a sample or two fewer than the exact length; the tail stays zero.
  return out.to(device);
}

}  // namespace mh::audio
