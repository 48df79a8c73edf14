#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "model/conv_vae.hpp"
#include "model/ml1_settings.hpp"
#include "model/vae_loss.hpp"

namespace mh::model {

namespace {

// A tiny architecture of the same structure, for tests that run many steps.
ConvVaeOptions tiny_options(int64_t frames = 16) {
  auto o = ConvVaeOptions::fast(32, frames);
  o.filters = {4, 8, 8};
  o.kernels = {{3, 3}, {3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}, {2, 1}};
  o.latent_dim = 8;
  return o;
}

}  // namespace

TEST(ConvVae, SeedPresetHasTheOriginalParameterCountsForAllSnippetLengths) {
  // Keras' "total params" of the original model: trainable plus BatchNorm moving statistics.
  EXPECT_EQ(ConvVae(ConvVaeOptions::seed(128, 128))->parameter_count(), 2371777);
  EXPECT_EQ(ConvVae(ConvVaeOptions::seed(128, 256))->parameter_count(), 2766017);
  EXPECT_EQ(ConvVae(ConvVaeOptions::seed(128, 16))->parameter_count(), 2026817);
}

TEST(ConvVae, SeedPresetHas2944BatchNormStatistics) {
  ConvVae vae(ConvVaeOptions::seed(128, 128));
  int64_t stats = 0;
  for (const auto& b : vae->named_buffers()) {
    if (b.key().find("running_") != std::string::npos) stats += b.value().numel();
  }
  EXPECT_EQ(stats, 2944);
}

TEST(ConvVae, ForwardShapesForBothPresetsAndAllSnippetLengths) {
  torch::NoGradGuard no_grad;
  for (const char* preset : {"seed", "fast", "notes"}) {
    for (int64_t frames : {16, 32, 64, 128, 256}) {
      ConvVae vae(ConvVaeOptions::preset(preset, 128, frames));
      vae->eval();
      const auto out = vae->forward(torch::rand({2, 1, 128, frames}));
      EXPECT_EQ(out.reconstruction.sizes(), (std::vector<int64_t>{2, 1, 128, frames})) << preset << " " << frames;
      EXPECT_EQ(out.mu.sizes(), (std::vector<int64_t>{2, 128}));
      EXPECT_EQ(out.log_var.sizes(), (std::vector<int64_t>{2, 128}));
      EXPECT_GT(out.reconstruction.min().item<float>(), 0.0f);
      EXPECT_LT(out.reconstruction.max().item<float>(), 1.0f);
    }
  }
}

TEST(ConvVae, SubmodulesAreRegisteredUnderTheirMemberNames) {
  ConvVae vae(ConvVaeOptions::seed(128, 16));
  const auto params = vae->named_parameters();
  for (const char* name : {"encoder_convs.0.weight", "encoder_norms.4.bias", "mu.weight", "log_var.bias",
                           "decoder_dense.weight", "decoder_convs.3.weight", "decoder_norms.0.weight",
                           "output_conv.weight", "output_conv.bias"}) {
    EXPECT_NE(params.find(name), nullptr) << name;
  }
  EXPECT_EQ(params["encoder_convs.1.weight"].sizes(), (std::vector<int64_t>{256, 512, 3, 3}));
  EXPECT_EQ(params["output_conv.weight"].sizes(), (std::vector<int64_t>{256, 1, 3, 3}));
}

TEST(ConvVae, WrongInputShapeIsAShapeErrorNamingBothShapes) {
  ConvVae vae(tiny_options());
  try {
    vae->forward(torch::rand({2, 1, 32, 17}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("got [2, 1, 32, 17], expected [N, 1, 32, 16]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(vae->decode(torch::zeros({2, 9})), ShapeError);
}

TEST(ConvVae, FastPresetNeedsAtLeastTenTimesFewerMultiplyAddsThanSeed) {
  for (int64_t frames : {16, 128, 256}) {
    const auto seed = multiply_adds(ConvVaeOptions::seed(128, frames));
    const auto fast = multiply_adds(ConvVaeOptions::fast(128, frames));
    EXPECT_LE(fast * 10, seed) << frames << ": fast " << fast << " seed " << seed;
  }
  // The seed's two high-resolution layers dominate: 1.2 G in the second encoder layer alone.
  EXPECT_GT(multiply_adds(ConvVaeOptions::seed(128, 128)), 1'500'000'000);
}

TEST(ConvVae, SameSeedGivesSameWeightsAndAnotherSeedOthers) {
  auto a = tiny_options(), b = tiny_options(), c = tiny_options();
  c.init_seed = 7;
  ConvVae va(a), vb(b), vc(c);
  EXPECT_TRUE(torch::equal(va->encoder_convs[0]->as<SameConv2dImpl>()->weight,
                           vb->encoder_convs[0]->as<SameConv2dImpl>()->weight));
  EXPECT_FALSE(torch::equal(va->mu->weight, vc->mu->weight));
}

TEST(ConvVae, NoiseIsDrawnPerElementSoEqualItemsGetDifferentSamples) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto mu = torch::zeros({2, 16});
  const auto log_var = torch::zeros({2, 16});
  const auto z = ConvVaeImpl::sample_latent(mu, log_var, gen);
  EXPECT_FALSE(torch::allclose(z[0], z[1]));
  // Within one item the dimensions differ too (the original drew one scalar for everything).
  EXPECT_GT(z[0].std().item<float>(), 0.1f);
}

TEST(ConvVae, TrainingForwardIsReproducibleWithTheSameGenerator) {
  ConvVae vae(tiny_options());
  const auto x = torch::rand({3, 1, 32, 16}, at::make_generator<at::CPUGeneratorImpl>(1));
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(5);
  auto g2 = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto y1 = vae->forward(x, g1).reconstruction;
  const auto y2 = vae->forward(x, g2).reconstruction;
  EXPECT_TRUE(torch::equal(y1, y2));
}

// One output channel: the conv-grad layer's forward takes im2col + GEMM (few channels), its
// backward the oneDNN convolutions.
TEST(ConvVae, ConvGradAndNativeTransposedConvolutionsAgree) {
  for (int64_t out_channels : {5, 1}) {
    for (Pair stride : {Pair{2, 2}, Pair{2, 1}, Pair{1, 1}}) {
      for (Pair kernel : {Pair{3, 3}, Pair{4, 4}}) {
        SameConvTranspose2d layer(3, out_channels, kernel, stride, ConvTransposeMode::kNative);
        torch::NoGradGuard no_grad;
        layer->weight.uniform_(-1, 1, at::make_generator<at::CPUGeneratorImpl>(2));
        layer->bias.fill_(0.25);
        const auto x = torch::rand({2, 3, 6, 7}, at::make_generator<at::CPUGeneratorImpl>(4));
        const auto native = layer->forward(x);
        layer->set_mode(ConvTransposeMode::kConvGrad);
        const auto grad_based = layer->forward(x);
        EXPECT_EQ(native.sizes(), (std::vector<int64_t>{2, out_channels, 6 * stride[0], 7 * stride[1]}));
        EXPECT_TRUE(torch::allclose(native, grad_based, 1e-5, 1e-5));
        // Mirrored, the output size is given (torch's output_padding).
        if (layer->mirrorable(6, 7)) {
          const auto mirrored = layer->forward_mirrored(x.flip({2, 3})).flip({2, 3});
          EXPECT_TRUE(torch::allclose(native, mirrored, 1e-5, 1e-5)) << out_channels;
        }
      }
    }
  }
}

TEST(ConvVae, ConvGradTransposedConvolutionHasTheNativeGradients) {
  for (int64_t out_channels : {4, 1}) {
    SameConvTranspose2d native(3, out_channels, Pair{3, 3}, Pair{2, 2}, ConvTransposeMode::kNative);
    SameConvTranspose2d grad_based(3, out_channels, Pair{3, 3}, Pair{2, 2}, ConvTransposeMode::kConvGrad);
    {
      torch::NoGradGuard no_grad;
      native->weight.uniform_(-1, 1, at::make_generator<at::CPUGeneratorImpl>(2));
      grad_based->weight.copy_(native->weight);
    }
    const auto x0 = torch::rand({2, 3, 5, 6}, at::make_generator<at::CPUGeneratorImpl>(4));
    const auto target = torch::rand({2, out_channels, 10, 12}, at::make_generator<at::CPUGeneratorImpl>(6));
    auto xa = x0.clone().requires_grad_(true);
    auto xb = x0.clone().requires_grad_(true);
    (native->forward(xa) * target).sum().backward();
    (grad_based->forward(xb) * target).sum().backward();
    EXPECT_TRUE(torch::allclose(xa.grad(), xb.grad(), 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(native->weight.grad(), grad_based->weight.grad(), 1e-4, 1e-5));
    EXPECT_TRUE(torch::allclose(native->bias.grad(), grad_based->bias.grad(), 1e-4, 1e-5));
  }
}

TEST(ConvVae, ChannelsLastActivationsGiveTheSameOutputsAndGradients) {
  auto x = torch::rand({3, 1, 32, 16}, at::make_generator<at::CPUGeneratorImpl>(5));
  std::vector<torch::Tensor> outputs, grads;
  for (const bool channels_last : {false, true}) {
    ConvVae vae(tiny_options());
    vae->set_channels_last(channels_last);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
    const auto out = vae->forward(x, gen);
    vae_loss(x, out.reconstruction, out.mu, out.log_var, 1e3).total.backward();
    EXPECT_TRUE(out.reconstruction.is_contiguous());
    outputs.push_back(out.reconstruction.detach());
    grads.push_back(vae->encoder_convs[1]->as<SameConv2dImpl>()->weight.grad().clone());
  }
  EXPECT_TRUE(torch::allclose(outputs[0], outputs[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grads[0], grads[1], 1e-3, 1e-4));
}

// The mirrored frame (no padded or cropped copies) against the plain layers, for the seed
// preset's shape of layers (pads (0, 1) and (1, 1), crops (0, 1) and (1, 1)) and with the native
// transposed convolution; a layout that needs a pad the mirrored frame cannot express keeps the
// plain layers.
TEST(ConvVae, MirroredFrameGivesTheSameOutputsAndGradients) {
  auto x = torch::rand({3, 1, 32, 16}, at::make_generator<at::CPUGeneratorImpl>(5));
  for (const auto mode : {ConvTransposeMode::kConvGrad, ConvTransposeMode::kNative}) {
    std::vector<torch::Tensor> outputs, grads, dense_grads;
    for (const bool mirrored : {false, true}) {
      auto options = tiny_options();
      options.conv_transpose = mode;
      ConvVae vae(options);
      EXPECT_EQ(vae->mirrored(), true);  // the default where the layers allow it
      EXPECT_EQ(vae->set_mirrored(mirrored), mirrored);
      auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
      const auto out = vae->forward(x, gen);
      vae_loss(x, out.reconstruction, out.mu, out.log_var, 1e3).total.backward();
      outputs.push_back(out.reconstruction.detach());
      grads.push_back(vae->encoder_convs[1]->as<SameConv2dImpl>()->weight.grad().clone());
      dense_grads.push_back(vae->output_conv->weight.grad().clone());
    }
    EXPECT_GT(outputs[0].std().item<double>(), 0.0);
    EXPECT_TRUE(torch::allclose(outputs[0], outputs[1], 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(grads[0], grads[1], 1e-3, 1e-4));
    EXPECT_TRUE(torch::allclose(dense_grads[0], dense_grads[1], 1e-3, 1e-4));
  }
  auto odd = tiny_options();
  // 2×2 kernels: at stride 1 (the last layer's width) TF pads (0, 1), which mirrored is (1, 0).
  odd.kernels = {{2, 2}, {2, 2}, {2, 2}};
  ConvVae plain(odd);
  EXPECT_FALSE(plain->mirrored());
  EXPECT_FALSE(plain->set_mirrored(true));
  EXPECT_EQ(plain->forward(x).reconstruction.sizes(), x.sizes());
}

TEST(ConvVae, TfSamePaddingPutsTheOddRowAtTheEnd) {
  EXPECT_EQ(tf_same_pads(128, 3, 2), (Pair{0, 1}));
  EXPECT_EQ(tf_same_pads(8, 3, 1), (Pair{1, 1}));
  EXPECT_EQ(tf_same_pads(7, 3, 2), (Pair{1, 1}));
}

TEST(VaeLoss, UsesKerasMeanSquaredErrorAndKlSummedOverLatentDimensions) {
  const auto x = torch::full({2, 1, 2, 2}, 0.5);
  const auto y = torch::full({2, 1, 2, 2}, 0.25);
  const auto mu = torch::ones({2, 3});
  const auto log_var = torch::zeros({2, 3});
  const auto loss = vae_loss(x, y, mu, log_var, 1e6);
  EXPECT_NEAR(loss.reconstruction.item<double>(), 0.0625, 1e-9);
  // −½ Σ (1 + 0 − 1 − 1) over 3 dimensions = 1.5 per item.
  EXPECT_NEAR(loss.kl.item<double>(), 1.5, 1e-6);
  EXPECT_NEAR(loss.total.item<double>(), 62500.0 + 1.5, 1e-2);
  EXPECT_THROW(vae_loss(x, y.view({2, 1, 4, 1}), mu, log_var, 1.0), ShapeError);
}

TEST(Ml1Settings, ValidateNamesTheFieldValueAndRange) {
  Ml1Settings s;
  EXPECT_NO_THROW(s.validate());
  s.batch_size = 0;
  try {
    s.validate();
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("ml1.batch_size = 0"), std::string::npos) << e.what();
  }
  s = {};
  s.preset = "huge";
  EXPECT_THROW(s.validate(), SettingsError);
}

TEST(Ml1Settings, OptionsForUsesThePresetLatentSizeAndSeed) {
  Ml1Settings s;
  s.latent_dim = 32;
  s.seed = 9;
  const auto o = options_for(s, 128, 256);
  EXPECT_EQ(o.filters, ConvVaeOptions::notes().filters);
  EXPECT_EQ(o.latent_frames, 16);
  EXPECT_EQ(o.latent_dim, 32);
  EXPECT_EQ(o.init_seed, 9u);
  EXPECT_EQ(o.frames, 256);
  EXPECT_THROW(options_for(s, 128, 97), SettingsError);  // not divisible by the strides
}

TEST(ConvVae, NotesPresetKeepsSixteenLatentFramesForEverySnippetLength) {
  for (int64_t frames : {16, 32, 64, 128, 256, 192}) {
    const auto o = ConvVaeOptions::notes(128, frames);
    EXPECT_EQ(o.latent_frames, 16) << frames;
    EXPECT_EQ(o.bottleneck_shape()[2], 16) << frames;
  }
  // 100 frames: 4 latent frames of 25 (time strides 5, 5). 97 cannot be spread over time
  // strides: the dense fast model, which then refuses them.
  EXPECT_EQ(ConvVaeOptions::notes(128, 100).latent_frames, 4);
  EXPECT_NO_THROW(ConvVaeOptions::notes(128, 100).validate());
  EXPECT_EQ(ConvVaeOptions::notes(128, 97).latent_frames, 0);
  // A latent of 8 numbers: 8 frames of one number, the bottleneck 8 columns wide.
  const auto small = ConvVaeOptions::notes(128, 16, 8);
  EXPECT_EQ(small.latent_frames, 8);
  EXPECT_NO_THROW(small.validate());
  EXPECT_EQ(ConvVaeOptions::notes(128, 128, 24).latent_frames, 8);
}

TEST(ConvVae, ATemporalLatentFrameOnlyChangesItsOwnStretchOfTheSnippet) {
  torch::NoGradGuard no_grad;
  ConvVae vae(ConvVaeOptions::notes(128, 128));
  vae->eval();
  auto z = torch::randn({1, 128});
  auto moved = z.clone();
  moved.view({1, 16, 8}).select(1, 0).add_(3.0);  // the first of 16 frames, 8 numbers
  const auto diff = (vae->decode(z) - vae->decode(moved)).abs();
  // Frame 0 of the code stands for output frames 0–7; the decoder's kernels reach a few more.
  EXPECT_GT(diff.narrow(3, 0, 8).max().item<float>(), 1e-4f);
  EXPECT_LT(diff.narrow(3, 48, 80).max().item<float>(), 1e-6f);
}

TEST(ConvVaeOptions, ALatentFramesThatDoNotMatchTheBottleneckAreRefusedByName) {
  auto o = ConvVaeOptions::notes(128, 128);
  o.latent_frames = 8;
  try {
    o.validate();
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("ml1.latent_frames = 8"), std::string::npos) << e.what();
  }
  o = ConvVaeOptions::notes(128, 128);
  o.latent_dim = 100;  // not a multiple of 16 frames
  EXPECT_THROW(o.validate(), SettingsError);
}

TEST(ConvVaeOptions, DenseModelsAreWrittenWithoutLatentFramesAndReadAsDense) {
  const auto dense = ConvVaeOptions::fast(128, 128).to_json();
  EXPECT_FALSE(dense.contains("latent_frames"));
  EXPECT_EQ(ConvVaeOptions::from_json(dense).latent_frames, 0);
  const auto temporal = ConvVaeOptions::notes(128, 128);
  EXPECT_TRUE(ConvVaeOptions::from_json(temporal.to_json()) == temporal);
}

TEST(VaeLoss, L1TakesTheMeanAbsoluteDifference) {
  const auto x = torch::full({2, 1, 2, 2}, 0.5);
  const auto y = torch::full({2, 1, 2, 2}, 0.25);
  const auto zeros = torch::zeros({2, 3});
  EXPECT_NEAR(vae_loss(x, y, zeros, zeros, 1.0, true).reconstruction.item<double>(), 0.25, 1e-9);
}

TEST(ConvVaeOptions, JsonRoundTripKeepsEveryField) {
  auto o = ConvVaeOptions::seed(128, 256);
  o.conv_transpose = ConvTransposeMode::kNative;
  o.init_seed = 42;
  EXPECT_TRUE(ConvVaeOptions::from_json(o.to_json()) == o);
  EXPECT_THROW(ConvVaeOptions::from_json(nlohmann::json{{"n_mels", 1}}), SettingsError);
}

}  // namespace mh::model
