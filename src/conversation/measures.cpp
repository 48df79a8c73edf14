#include "conversation/measures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/errors.hpp"

namespace mh::conversation {
namespace {

torch::Tensor symmetric_sqrt(const torch::Tensor& m) {
  const auto [eigenvalues, eigenvectors] = torch::linalg::eigh(0.5 * (m + m.transpose(0, 1)), "L");
  return eigenvectors.matmul(torch::diag(eigenvalues.clamp_min(0.0).sqrt())).matmul(eigenvectors.transpose(0, 1));
}

}  // namespace

Gaussian fit_gaussian(const torch::Tensor& embeddings) {
  if (embeddings.dim() != 2 || embeddings.size(0) < 2) {
    throw ShapeError(fmt::format("fit_gaussian: got shape [{}], expected [n >= 2, D]", fmt::join(embeddings.sizes(), ", ")));
  }
  const auto x = embeddings.to(torch::kFloat64);
  const auto mean = x.mean(0);
  const auto centred = x - mean;
  auto cov = centred.transpose(0, 1).matmul(centred) / static_cast<double>(x.size(0) - 1);
  const double eps = 1e-6 * cov.trace().item<double>() / static_cast<double>(x.size(1));
  cov = cov + eps * torch::eye(x.size(1), torch::kFloat64);
  return {mean, cov};
}

double frechet_distance(const Gaussian& a, const Gaussian& b) {
  const auto diff = a.mean - b.mean;
  const auto root_a = symmetric_sqrt(a.covariance);
  const auto cross = symmetric_sqrt(root_a.matmul(b.covariance).matmul(root_a));
  const double fd = diff.dot(diff).item<double>() +
                    (a.covariance.trace() + b.covariance.trace() - 2.0 * cross.trace()).item<double>();
  return std::max(fd, 0.0);
}

FrechetInterval bootstrap_frechet(const torch::Tensor& a, const torch::Tensor& b, int resamples, double level,
                                  std::uint64_t seed) {
  if (a.dim() != 2 || b.dim() != 2 || a.size(0) < 2 || b.size(0) < 2 || a.size(1) != b.size(1)) {
    throw ShapeError(fmt::format("bootstrap_frechet: got [{}] and [{}], expected [n >= 2, D] and [m >= 2, D]",
                                 fmt::join(a.sizes(), ", "), fmt::join(b.sizes(), ", ")));
  }
  if (resamples < 2) throw SettingsError(fmt::format("bootstrap resamples = {} is out of range: allowed [2, inf)", resamples));
  if (!(level > 0 && level < 1)) throw SettingsError(fmt::format("bootstrap level = {} is out of range: allowed (0, 1)", level));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<double> fds;
  fds.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    const auto ia = torch::randint(a.size(0), {a.size(0)}, gen, torch::kInt64);
    const auto ib = torch::randint(b.size(0), {b.size(0)}, gen, torch::kInt64);
    fds.push_back(frechet_distance(fit_gaussian(a.index_select(0, ia)), fit_gaussian(b.index_select(0, ib))));
  }
  std::sort(fds.begin(), fds.end());
  const auto at = [&](double q) {
    const double pos = q * static_cast<double>(fds.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, fds.size() - 1);
    return fds[lo] + (pos - static_cast<double>(lo)) * (fds[hi] - fds[lo]);
  };
  const double bias = at(0.5) - frechet_distance(fit_gaussian(a), fit_gaussian(b));
  return {std::max(0.0, at((1.0 - level) / 2.0) - bias), at((1.0 + level) / 2.0) - bias};
}

double variance_ratio(const Gaussian& t, const Gaussian& ref) {
  return t.covariance.trace().item<double>() / ref.covariance.trace().item<double>();
}

double participation_ratio(const Gaussian& g) {
  const auto eigenvalues = torch::linalg::eigvalsh(g.covariance, "L").clamp_min(0.0);
  const double sum = eigenvalues.sum().item<double>();
  const double sum_sq = eigenvalues.pow(2).sum().item<double>();
  return sum_sq > 0 ? sum * sum / sum_sq : 0.0;
}

double mean_drift(const Gaussian& a, const Gaussian& b, const Gaussian& ref) {
  return (a.mean - b.mean).norm().item<double>() / std::sqrt(ref.covariance.trace().item<double>());
}

torch::Tensor long_term_average_spectrum_db(const torch::Tensor& mel_power, double amin) {
  if (mel_power.dim() < 2) throw ShapeError("long_term_average_spectrum_db: expected [..., bands, frames]");
  const auto db = 10.0 * torch::log10(mel_power.to(torch::kFloat64).clamp_min(amin));
  const auto bands = db.size(-2);
  return db.transpose(-2, -1).reshape({-1, bands}).mean(0);
}

double ltas_distance_db(const torch::Tensor& a_db, const torch::Tensor& b_db) {
  if (a_db.sizes() != b_db.sizes()) throw ShapeError("ltas_distance_db: the two spectra differ in bands");
  return (a_db - b_db).pow(2).mean().sqrt().item<double>();
}

double spectral_flatness(const torch::Tensor& ltas_db) {
  const auto power = torch::pow(10.0, ltas_db.to(torch::kFloat64) / 10.0);
  return std::exp(power.log().mean().item<double>()) / power.mean().item<double>();
}

}  // namespace mh::conversation
