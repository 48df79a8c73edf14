#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "model/ml1_checkpoint.hpp"

namespace mh::model {

namespace {

ConvVaeOptions small_options() {
  auto o = ConvVaeOptions::fast(32, 16);
  o.filters = {4, 8, 8};
  o.kernels = {{3, 3}, {3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}, {2, 1}};
  o.latent_dim = 8;
  o.init_seed = 3;
  return o;
}

std::string small_checkpoint(ConvVae& vae) {
  Ml1Settings settings;
  auto adam = make_adam(vae, 1e-3);
  // One step so that the model's BatchNorm statistics and Adam's moments are not at defaults.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto x = torch::rand({4, 1, 32, 16}, gen);
  adam->zero_grad();
  vae->forward(x, gen).reconstruction.mean().backward();
  adam->step();
  Ml1TrainingState state;
  state.epochs_done = 2;
  state.history.push_back({1, 10.0, 0.01, 0.5, 0.02, 1.5, 100.0});
  return save_ml1_checkpoint(settings, vae, adam.get(), state);
}

void expect_refused(std::string_view bytes, const std::string& fragment) {
  try {
    load_ml1_checkpoint(bytes, torch::kCPU, "agent/ml1.ckpt");
    FAIL() << "expected CheckpointError containing '" << fragment << "'";
  } catch (const CheckpointError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("agent/ml1.ckpt: "), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
}

}  // namespace

TEST(Checkpoint, SaveThenLoadGivesIdenticalOutputsAndState) {
  ConvVae vae(small_options());
  const auto bytes = small_checkpoint(vae);
  auto loaded = load_ml1_checkpoint(bytes, torch::kCPU);
  EXPECT_TRUE(loaded.model->options() == vae->options());
  EXPECT_TRUE(loaded.had_optimizer_state);
  EXPECT_EQ(loaded.state.epochs_done, 2);
  ASSERT_EQ(loaded.state.history.size(), 1u);
  EXPECT_DOUBLE_EQ(loaded.state.history[0].val_reconstruction, 0.02);
  vae->eval();
  loaded.model->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({3, 1, 32, 16}, at::make_generator<at::CPUGeneratorImpl>(8));
  EXPECT_TRUE(torch::equal(vae->forward(x).reconstruction, loaded.model->forward(x).reconstruction));
  EXPECT_TRUE(torch::equal(vae->encode(x), loaded.model->encode(x)));
}

TEST(Checkpoint, TruncatedFileIsRefused) {
  ConvVae vae(small_options());
  const auto bytes = small_checkpoint(vae);
  expect_refused(std::string_view(bytes).substr(0, bytes.size() - 100), "truncated");
  expect_refused(std::string_view(bytes).substr(0, 20), "truncated");
}

TEST(Checkpoint, FlippedBitAnywhereIsRefused) {
  ConvVae vae(small_options());
  const auto bytes = small_checkpoint(vae);
  for (size_t pos : {bytes.size() / 2, bytes.size() - 1, size_t{40}}) {
    auto bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
    try {
      load_ml1_checkpoint(bad, torch::kCPU, "x");
      FAIL() << "flipped byte " << pos << " was accepted";
    } catch (const CheckpointError&) {
    }
  }
  auto bad = bytes;
  bad[bytes.size() / 2] = static_cast<char>(bad[bytes.size() / 2] ^ 0x01);
  expect_refused(bad, "checksum mismatch");
}

TEST(Checkpoint, ForeignFileIsRefusedBeforeLibTorchSeesIt) {
  expect_refused("PK\x03\x04 some zip archive that is not ours", "not a Meta Human checkpoint");
  expect_refused("", "not a Meta Human checkpoint");
  ConvVae vae(small_options());
  auto bytes = small_checkpoint(vae);
  bytes += "trailing";
  expect_refused(bytes, "unexpected bytes");
}

TEST(Checkpoint, OtherKindOrVersionIsRefused) {
  const auto ml2 = pack_checkpoint({"ml2", nlohmann::json::object(), "payload"});
  expect_refused(ml2, "is a 'ml2' checkpoint, expected 'ml1'");
  auto newer = ml2;
  newer[6] = 9;  // format version, low byte
  expect_refused(newer, "format version 9 is not supported");
}

TEST(Checkpoint, ParameterOfAnotherShapeIsRefusedNamingIt) {
  ConvVae vae(small_options());
  auto blob = unpack_checkpoint(small_checkpoint(vae), kMl1Kind);
  // Same archive, but metadata claiming a wider latent space: every latent-sized tensor differs.
  blob.metadata["options"]["latent_dim"] = 9;
  expect_refused(pack_checkpoint(blob), "parameter mu.weight has shape [8, 128] Float, the model needs [9, 128] Float");
}

TEST(Checkpoint, MissingMetadataFieldIsRefused) {
  ConvVae vae(small_options());
  auto blob = unpack_checkpoint(small_checkpoint(vae), kMl1Kind);
  blob.metadata.erase("options");
  expect_refused(pack_checkpoint(blob), "incomplete metadata");
}

TEST(Checkpoint, ModelWithoutOptimizerLoadsForInference) {
  ConvVae vae(small_options());
  const auto bytes = save_ml1_checkpoint(Ml1Settings{}, vae, nullptr, {});
  const auto loaded = load_ml1_checkpoint(bytes, torch::kCPU);
  EXPECT_FALSE(loaded.had_optimizer_state);
  EXPECT_TRUE(torch::equal(loaded.model->mu->weight, vae->mu->weight));
}

}  // namespace mh::model
