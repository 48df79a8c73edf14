#include <gtest/gtest.h>

#include "model/batch_norm_calibration.hpp"
#include "model/conv_vae.hpp"

namespace mh::model {
namespace {

ConvVaeOptions calibration_options() {
  auto o = ConvVaeOptions::fast(16, 8);
  o.filters = {3, 4};
  o.kernels = {{3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 1}};
  o.latent_dim = 4;
  return o;
}

TEST(RecalibrateBatchNorm, FirstLayerStatisticsAreThoseOfTheWholeSetAndTheModeIsKept) {
  ConvVae model(calibration_options());
  model->eval();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto x = torch::rand({12, 1, 16, 8}, gen);
  recalibrate_batch_norm(*model, 3, [&](int64_t b) { return x.narrow(0, b * 4, 4); });
  EXPECT_FALSE(model->is_training());
  auto* bn = model->encoder_norms[0]->as<torch::nn::BatchNorm2dImpl>();
  EXPECT_DOUBLE_EQ(*bn->options.momentum(), 0.01);  // restored
  torch::NoGradGuard no_grad;
  auto* conv = model->encoder_convs[0]->as<SameConv2dImpl>();
  // The encoder's first layer is conv → ReLU → BatchNorm; equal batches make the average of the
  // batch means the mean over the whole set.
  const auto activations = torch::relu(conv->forward(x));
  EXPECT_TRUE(torch::allclose(bn->running_mean, activations.mean({0, 2, 3}), 1e-5, 1e-6));
  // Variances: the mean of the three batches' unbiased variances.
  auto var = torch::zeros_like(bn->running_var);
  for (int b = 0; b < 3; ++b) {
    const auto part = activations.narrow(0, b * 4, 4).transpose(0, 1).flatten(1);
    var += part.var(1, /*unbiased=*/true) / 3.0;
  }
  EXPECT_TRUE(torch::allclose(bn->running_var, var, 1e-4, 1e-6));
}

TEST(CalibrationSubset, SpreadsEvenlyAndKeepsShortLists) {
  const std::vector<int64_t> ids = {10, 11, 12, 13, 14, 15, 16, 17};
  EXPECT_EQ(calibration_subset(ids, 100), ids);
  EXPECT_EQ(calibration_subset(ids, 4), (std::vector<int64_t>{10, 12, 14, 16}));
  EXPECT_TRUE(calibration_subset(ids, 0).empty());
}

}  // namespace
}  // namespace mh::model
