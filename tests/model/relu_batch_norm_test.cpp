#include <gtest/gtest.h>

#include "model/relu_batch_norm.hpp"

namespace mh::model {

namespace {

torch::nn::BatchNorm2d keras_norm(int64_t channels) {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(1e-3).momentum(0.01));
}

// Two modules with the same non-trivial parameters and running statistics.
std::pair<torch::nn::BatchNorm2d, torch::nn::BatchNorm2d> twin_norms(int64_t channels, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto a = keras_norm(channels), b = keras_norm(channels);
  torch::NoGradGuard no_grad;
  for (auto* m : {a.get(), b.get()}) {
    auto g = gen.clone();
    m->weight.copy_(torch::rand({channels}, g) + 0.5);
    m->bias.copy_(torch::randn({channels}, g));
    m->running_mean.copy_(torch::rand({channels}, g));
    m->running_var.copy_(torch::rand({channels}, g) + 0.5);
  }
  return {a, b};
}

struct Result {
  torch::Tensor out, gx, gweight, gbias;
};

// Runs y = f(x) and backpropagates a fixed gradient through it.
template <typename F>
Result run(const torch::Tensor& input, const torch::Tensor& grad, torch::nn::BatchNorm2d& bn, F f) {
  const auto leaf = input.clone().requires_grad_(true);
  // A non-leaf, as a convolution's output is.
  const auto x = leaf * 1.0;
  bn->weight.mutable_grad() = torch::Tensor();
  bn->bias.mutable_grad() = torch::Tensor();
  const auto out = f(x);
  out.backward(grad);
  return {out.detach(), leaf.grad(), bn->weight.grad(), bn->bias.grad()};
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol, const char* what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  EXPECT_TRUE(torch::allclose(a, b, rtol, atol)) << what << ": max |diff| " << (a - b).abs().max().item<double>();
}

// The fused kernel in float against torch's relu and batch_norm in double.
void expect_same_as_torch(const std::vector<int64_t>& shape, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto x = torch::randn(shape, gen);
  const auto grad = torch::randn(shape, gen);
  auto [fused_bn, torch_bn] = twin_norms(shape[1], seed + 1);
  torch_bn->to(torch::kFloat64);
  ASSERT_TRUE(fused_relu_batch_norm_applies(x, *fused_bn));
  const auto fused = run(x, grad, fused_bn, [&](const torch::Tensor& t) { return relu_batch_norm(t, *fused_bn); });
  const auto reference = run(x.to(torch::kFloat64), grad.to(torch::kFloat64), torch_bn,
                             [&](const torch::Tensor& t) { return torch_bn->forward(t.relu()); });
  const auto as_float = [](const torch::Tensor& t) { return t.to(torch::kFloat32); };
  expect_close(fused.out, as_float(reference.out), 1e-5, 1e-5, "output");
  expect_close(fused.gx, as_float(reference.gx), 1e-4, 1e-5, "input gradient");
  expect_close(fused.gweight, as_float(reference.gweight), 1e-5, 1e-4, "weight gradient");
  expect_close(fused.gbias, as_float(reference.gbias), 1e-5, 1e-4, "bias gradient");
  expect_close(fused_bn->running_mean, as_float(torch_bn->running_mean), 1e-6, 1e-7, "running mean");
  expect_close(fused_bn->running_var, as_float(torch_bn->running_var), 1e-6, 1e-7, "running var");
  EXPECT_EQ(fused_bn->num_batches_tracked.item<int64_t>(), torch_bn->num_batches_tracked.item<int64_t>());
}

}  // namespace

TEST(ReluBatchNorm, FusedKernelMatchesTorchReluThenBatchNormWithVectorTails) {
  // 5 × 7 = 35 values per plane: four vectors of eight and a tail of three.
  expect_same_as_torch({4, 6, 5, 7}, 1);
}

TEST(ReluBatchNorm, FusedKernelMatchesTorchOnLargePlanesAndManyChannels) {
  expect_same_as_torch({3, 40, 32, 32}, 2);
}

TEST(ReluBatchNorm, FusedKernelMatchesTorchOnPlanesShorterThanOneVector) {
  expect_same_as_torch({8, 3, 2, 3}, 3);
}

// The preceding convolution's bias folded into the kernel, against adding it first (in double).
TEST(ReluBatchNorm, FoldedConvolutionBiasMatchesAddingItFirst) {
  for (const auto& shape : {std::vector<int64_t>{3, 6, 5, 7}, std::vector<int64_t>{2, 16, 32, 32}}) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    const auto x = torch::randn(shape, gen);
    const auto grad = torch::randn(shape, gen);
    const auto conv_bias = torch::randn({shape[1]}, gen);
    auto [fused_bn, torch_bn] = twin_norms(shape[1], 12);
    torch_bn->to(torch::kFloat64);
    ASSERT_TRUE(fused_relu_batch_norm_applies(x, *fused_bn, conv_bias));
    const auto fused_bias = conv_bias.clone().requires_grad_(true);
    const auto fused =
        run(x, grad, fused_bn, [&](const torch::Tensor& t) { return relu_batch_norm(t, *fused_bn, fused_bias); });
    const auto reference_bias = conv_bias.to(torch::kFloat64).requires_grad_(true);
    const auto reference = run(x.to(torch::kFloat64), grad.to(torch::kFloat64), torch_bn, [&](const torch::Tensor& t) {
      return torch_bn->forward((t + reference_bias.view({1, -1, 1, 1})).relu());
    });
    expect_close(fused.out, reference.out.to(torch::kFloat32), 1e-5, 1e-5, "output");
    expect_close(fused.gx, reference.gx.to(torch::kFloat32), 1e-4, 1e-5, "input gradient");
    expect_close(fused_bias.grad(), reference_bias.grad().to(torch::kFloat32), 1e-4, 1e-4, "bias gradient");
    expect_close(fused_bn->running_mean, torch_bn->running_mean.to(torch::kFloat32), 1e-6, 1e-7, "running mean");
    // The fallback (eval) adds the bias itself.
    fused_bn->eval();
    torch_bn->eval();
    torch::NoGradGuard no_grad;
    expect_close(relu_batch_norm(x.clone(), *fused_bn, conv_bias),
                 torch_bn->forward((x.to(torch::kFloat64) + conv_bias.to(torch::kFloat64).view({1, -1, 1, 1})).relu())
                     .to(torch::kFloat32),
                 1e-5, 1e-5, "eval");
  }
}

TEST(ReluBatchNorm, OutputsBeyond64MBTakeNonTemporalStoresWithTheSameResults) {
  // 2 × 257 × 181 × 181 floats = 67 MB; the odd plane size leaves every other plane unaligned.
  expect_same_as_torch({2, 257, 181, 181}, 7);
}

TEST(ReluBatchNorm, VarianceStaysExactForActivationsFarFromZero) {
  // Mean 1000, spread 0.01: a one-pass E[y²] − E[y]² in float would lose every digit.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
  const auto x = 1000.0 + 0.01 * torch::randn({4, 2, 16, 16}, gen);
  auto bn = keras_norm(2);
  bn->running_var.zero_();
  {
    torch::NoGradGuard no_grad;
    relu_batch_norm(x, *bn);
  }
  const auto expected = x.to(torch::kFloat64).transpose(0, 1).reshape({2, -1}).var(1, /*unbiased=*/true) * 0.01;
  expect_close(bn->running_var.to(torch::kFloat64), expected, 1e-3, 0.0, "running var");
}

TEST(ReluBatchNorm, NegativeInputsGiveNoGradientAndNaNPropagates) {
  auto bn = keras_norm(1);
  const auto leaf = torch::tensor({-1.0f, 2.0f, 3.0f, -4.0f}).view({1, 1, 2, 2}).requires_grad_(true);
  const auto x = leaf * 1.0;
  relu_batch_norm(x, *bn).backward(torch::ones({1, 1, 2, 2}) + torch::arange(4).view({1, 1, 2, 2}));
  EXPECT_EQ(leaf.grad()[0][0][0][0].item<float>(), 0.0f);
  EXPECT_EQ(leaf.grad()[0][0][1][1].item<float>(), 0.0f);
  EXPECT_NE(leaf.grad()[0][0][0][1].item<float>(), 0.0f);
  auto bn_nan = keras_norm(1);
  torch::NoGradGuard no_grad;
  const auto with_nan = torch::tensor({1.0f, NAN, 3.0f, 4.0f}).view({1, 1, 2, 2});
  EXPECT_TRUE(relu_batch_norm(with_nan, *bn_nan).isnan().all().item<bool>());
}

TEST(ReluBatchNorm, OneValuePerChannelIsRefusedInTraining) {
  auto bn = keras_norm(3);
  EXPECT_THROW(relu_batch_norm(torch::randn({1, 3, 1, 1}), *bn), c10::Error);
}

TEST(ReluBatchNorm, OtherLayoutsAndEvalModeTakeTheTorchOperatorsWithTheSameResult) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto x = torch::randn({2, 4, 6, 6}, gen);
  auto [a, b] = twin_norms(4, 6);
  const auto channels_last = x.contiguous(torch::MemoryFormat::ChannelsLast);
  EXPECT_FALSE(fused_relu_batch_norm_applies(channels_last, *a));
  EXPECT_FALSE(fused_relu_batch_norm_applies(x.to(torch::kFloat64), *a));
  torch::NoGradGuard no_grad;
  expect_close(relu_batch_norm(channels_last, *a), b->forward(x.relu()), 1e-5, 1e-6, "channels-last");
  a->eval();
  b->eval();
  EXPECT_FALSE(fused_relu_batch_norm_applies(x, *a));
  expect_close(relu_batch_norm(x.clone(), *a), b->forward(x.relu()), 1e-5, 1e-6, "eval");
}

}  // namespace mh::model
