#pragma once
/// Sample-rate conversion with libsoxr at its very-high-quality, linear-phase setting. Pure
/// function on tensors; single-threaded so that the same input always gives the same output.
#include <torch/torch.h>

namespace mh::audio {

/// Lowest and highest sample rates accepted anywhere in the audio stage.
constexpr int kMinSampleRateHz = 1000;
constexpr int kMaxSampleRateHz = 768000;

/// mono: [samples] float (any float dtype, any device) → [round(samples·to_hz/from_hz)] float32
/// on the same device. Returns a float32 copy when the rates are equal. The output is aligned
/// with the input (the filter's delay is compensated). Throws ShapeError when mono is not 1-D,
/// SettingsError when a rate is outside [kMinSampleRateHz, kMaxSampleRateHz], AudioError when
/// libsoxr fails.
torch::Tensor resample(const torch::Tensor& mono, int from_hz, int to_hz);

}  // namespace mh::audio
