#include <gtest/gtest.h>

#include "conversation/measures.hpp"
#include "core/errors.hpp"

namespace mh::conversation {
namespace {

torch::Tensor gaussian_sample(int64_t n, int64_t d, double mean, double std, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({n, d}, gen, torch::kFloat64) * std + mean;
}

TEST(Measures, FrechetDistanceOfASetWithItselfIsZero) {
  const auto g = fit_gaussian(gaussian_sample(400, 8, 0.0, 1.0, 1));
  EXPECT_NEAR(frechet_distance(g, g), 0.0, 1e-6);
}

TEST(Measures, FrechetDistanceMatchesTheClosedFormForIsotropicGaussians) {
  // Exact parameters: FD = |Δμ|² + D (σ₁ − σ₂)².
  const int64_t d = 4;
  Gaussian a{torch::zeros({d}, torch::kFloat64), torch::eye(d, torch::kFloat64) * 4.0};
  Gaussian b{torch::full({d}, 1.0, torch::kFloat64), torch::eye(d, torch::kFloat64) * 1.0};
  EXPECT_NEAR(frechet_distance(a, b), 4.0 + 4.0 * 1.0, 1e-9);
  EXPECT_NEAR(frechet_distance(b, a), 8.0, 1e-9);
}

TEST(Measures, FrechetDistanceGrowsWithTheShiftOfTheMean) {
  const auto ref = fit_gaussian(gaussian_sample(500, 16, 0.0, 1.0, 2));
  const auto near = fit_gaussian(gaussian_sample(500, 16, 0.2, 1.0, 3));
  const auto far = fit_gaussian(gaussian_sample(500, 16, 1.0, 1.0, 4));
  EXPECT_LT(frechet_distance(ref, near), frechet_distance(ref, far));
}

TEST(Measures, VarianceAndParticipationRatiosSeeACollapse) {
  const auto ref = fit_gaussian(gaussian_sample(500, 10, 0.0, 1.0, 5));
  auto collapsed_set = gaussian_sample(500, 10, 0.0, 1.0, 6);
  collapsed_set.slice(1, 1) *= 0.01;  // everything but one dimension nearly constant
  const auto collapsed = fit_gaussian(collapsed_set);
  EXPECT_NEAR(variance_ratio(ref, ref), 1.0, 1e-12);
  EXPECT_LT(variance_ratio(collapsed, ref), 0.2);
  EXPECT_GT(participation_ratio(ref), 8.0);
  EXPECT_LT(participation_ratio(collapsed), 1.1);
}

TEST(Measures, MeanDriftIsScaledByTheReferenceSpread) {
  Gaussian ref{torch::zeros({4}, torch::kFloat64), torch::eye(4, torch::kFloat64)};
  Gaussian moved{torch::tensor({2.0, 0.0, 0.0, 0.0}, torch::kFloat64), torch::eye(4, torch::kFloat64)};
  EXPECT_NEAR(mean_drift(moved, ref, ref), 2.0 / 2.0, 1e-12);
}

TEST(Measures, FlatSpectrumHasFlatnessOneAndAPeakLowersIt) {
  const auto flat = torch::zeros({128}, torch::kFloat64);
  EXPECT_NEAR(spectral_flatness(flat), 1.0, 1e-12);
  auto peaked = flat.clone();
  peaked[10] = 40.0;
  EXPECT_LT(spectral_flatness(peaked), 0.1);
}

TEST(Measures, LtasAveragesDecibelsOverFramesAndItemsPerBand) {
  auto power = torch::ones({2, 3, 5}, torch::kFloat64);  // 2 items, 3 bands, 5 frames
  power.select(1, 1) *= 100.0;                              // band 1 at +20 dB
  const auto ltas = long_term_average_spectrum_db(power);
  ASSERT_EQ(ltas.size(0), 3);
  EXPECT_NEAR(ltas[0].item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(ltas[1].item<double>(), 20.0, 1e-12);
  EXPECT_NEAR(ltas_distance_db(ltas, torch::zeros({3}, torch::kFloat64)), std::sqrt(400.0 / 3.0), 1e-9);
}

TEST(Measures, TooSmallASetIsRefused) {
  EXPECT_THROW(fit_gaussian(torch::zeros({1, 4})), ShapeError);
}

}  // namespace
}  // namespace mh::conversation
