#include "conversation/measures.hpp"

#include <fmt/format.h>

#include <cmath>

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
