#pragma once
/// Objective measures of an inversion, for tests and benchmarks.
#include <torch/torch.h>

#include "dsp/stft.hpp"

namespace mh::dsp {

/// Mean over snippets of the floored log-spectral distance in dB: per snippet, the RMS over bins
/// and frames of 20·log10|STFT(inverted)| − 20·log10|STFT(original)|, both magnitudes floored at
/// 80 dB below that original snippet's peak (and at 1e-12). Both [N, samples] (or [samples]); the
/// first min(N) snippets and min(samples) samples are compared. Throws ShapeError on other ranks
/// or when nothing overlaps.
double log_spectral_distance_db(const torch::Tensor& inverted, const torch::Tensor& original, const StftSettings& stft);

/// Spectral convergence ‖S − |STFT(signal)|‖_F / ‖S‖_F of a signal against a target magnitude
/// S. signal [N, samples] or [samples]; target [N, n_freqs, frames] or [n_freqs, frames]; the
/// first min(frames) frames are compared. Returns 0 for an all-zero target matched exactly.
/// Throws ShapeError on mismatched ranks, batch sizes or frequency bins.
double spectral_convergence(const torch::Tensor& signal, const torch::Tensor& target_magnitude, const StftSettings& stft);

}  // namespace mh::dsp
