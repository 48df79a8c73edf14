#pragma once
/// The conversation's measures (see docs/measures.md): statistics of embedded snippet sets and
/// spectra. Pure functions on tensors; all sets are float64 [n, D] or [n, bands].
#include <torch/torch.h>

#include <cstdint>

namespace mh::conversation {

/// Mean and covariance of a set of embeddings [n, D] (n ≥ 2), with εI added (ε = 1e-6·tr Σ / D)
/// so small sets stay well conditioned.
struct Gaussian {
  torch::Tensor mean;        ///< [D] float64
  torch::Tensor covariance;  ///< [D, D] float64
};
Gaussian fit_gaussian(const torch::Tensor& embeddings);

/// FD = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½); roots by symmetric eigendecomposition with
/// negative eigenvalues clipped to 0.
double frechet_distance(const Gaussian& a, const Gaussian& b);

/// A bootstrap interval of the Fréchet distance between two embedded sets.
struct FrechetInterval {
  double low = 0, high = 0;  ///< the (1 − level)/2 and (1 + level)/2 quantiles, moved by the bias (below)
};
/// Resamples both sets [n, D] and [m, D] (n, m ≥ 2) with replacement `resamples` times, drawn from
/// `seed`, and returns the central `level` interval of their Fréchet distances (what the same
/// generation and reference would give drawn again), moved by the resamples' median minus the
/// distance itself and floored at 0. Why moved: a resample repeats points, which shrinks its
/// covariance estimate and raises its FD; with a few dozen points in 8 dimensions the resampled
/// FDs all lay above the measured one, and an interval that misses its own figure reads as a
/// change. The width is the bootstrap's; the centre is the figure. Throws ShapeError for sets of
/// other shapes or dimensions, SettingsError for resamples < 2 or level outside (0, 1).
FrechetInterval bootstrap_frechet(const torch::Tensor& a, const torch::Tensor& b, int resamples, double level,
                                  std::uint64_t seed);

/// tr Σ_t / tr Σ_ref.
double variance_ratio(const Gaussian& t, const Gaussian& ref);
/// (Σλ)² / Σλ² of Σ's eigenvalues: the effective number of dimensions used.
double participation_ratio(const Gaussian& g);
/// ‖μ_a − μ_b‖ / √tr Σ_ref.
double mean_drift(const Gaussian& a, const Gaussian& b, const Gaussian& ref);

/// Long-term average spectrum: mean over frames of dB mel power per band.
/// mel_power: [..., bands, frames] linear power → [bands] dB.
torch::Tensor long_term_average_spectrum_db(const torch::Tensor& mel_power, double amin = 1e-10);
/// √(mean_b (a_b − b_b)²) for two LTAS in dB.
double ltas_distance_db(const torch::Tensor& a_db, const torch::Tensor& b_db);
/// exp(mean ln P) / mean P of an LTAS given in dB (converted to linear power).
double spectral_flatness(const torch::Tensor& ltas_db);

}  // namespace mh::conversation
