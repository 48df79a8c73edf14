#pragma once
/// Joining inverted snippets into one signal, as the original: each snippet is cut to the span
/// between its first and last rising zero crossings, and consecutive pieces overlap by an
/// equal-power crossfade. Works on any device.
#include <torch/torch.h>

#include <vector>

namespace mh::dsp {

/// pcm [samples] float → the samples from the first rising zero crossing (the last negative sample
/// before a positive one) up to, not including, the last one: pcm[first, last), as the original.
/// A snippet with no rising crossing is kept whole; with exactly one the result is empty (as the
/// original; crossfade_join copes with empty pieces). Exact zeros count as neither sign.
/// Returns a view of `pcm`. Throws ShapeError unless pcm is 1-D.
torch::Tensor trim_to_rising_zero_crossings(const torch::Tensor& pcm);

/// Equal-power crossfade gains for `fade_samples` samples: fade_in = sqrt((1+r)/2),
/// fade_out = sqrt((1−r)/2) with r = linspace(−1, 1, fade_samples), so fade_in² + fade_out² = 1.
/// Returns {fade_in, fade_out}, float32 [fade_samples] on `device`.
std::pair<torch::Tensor, torch::Tensor> equal_power_gains(int64_t fade_samples, torch::Device device = torch::kCPU);

/// Where each piece of crossfade_join(pieces of these lengths, fade_samples) begins in the
/// joined signal.
std::vector<int64_t> crossfade_starts(const std::vector<int64_t>& lengths, int64_t fade_samples);

/// Concatenates 1-D pieces, overlapping consecutive ones by `fade_samples` with equal-power gains.
/// A joint where either side is shorter than the fade uses a fade of that shorter length (0: a plain
/// concatenation), so no piece is ever read out of bounds. Unlike the original, no zero sample is
/// put in front. Empty list → empty float32 tensor on the CPU. Result: float32 [samples] on the
/// first piece's device. Throws ShapeError if a piece is not 1-D, SettingsError if fade_samples < 0.
torch::Tensor crossfade_join(const std::vector<torch::Tensor>& pieces, int64_t fade_samples);

}  // namespace mh::dsp
