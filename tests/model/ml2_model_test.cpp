#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/ml2_loss.hpp"
#include "model/ml2_model.hpp"
#include "model/ml2_sequence_vae.hpp"

namespace mh::model {

namespace {

constexpr int64_t kDim = 8;

Ml2Settings tiny_settings(const std::string& preset) {
  Ml2Settings s;
  s.preset = preset;
  s.latent_dim = 4;
  s.hidden = 16;
  s.max_length = 24;
  s.seed = 3;
  return s;
}

std::vector<torch::Tensor> random_orders(const std::vector<int64_t>& lengths, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<torch::Tensor> out;
  for (const auto len : lengths) out.push_back(torch::randn({len, kDim}, gen) * 2 + 0.5);
  return out;
}

// An untrained model with statistics from `orders`.
Ml2 model_with_stats(const std::string& preset, const std::vector<torch::Tensor>& orders) {
  Ml2 m(tiny_settings(preset), kDim, torch::kCPU);
  m.net().set_stats(OrderStats::compute(orders));
  return m;
}

class BothPresets : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(BothPresets, AppendingPaddingChangesNeitherTheEncodingNorTheLoss) {
  const auto orders = random_orders({5, 1, 11, 7}, 1);
  auto m = model_with_stats(GetParam(), orders);
  auto& net = m.net();
  const auto tight = net.make_batch(orders);
  const auto padded = net.make_batch(orders, 23);
  ASSERT_EQ(padded.steps(), 23);
  // Garbage in the padding must not matter either: only the mask says what is real.
  auto dirty = padded;
  dirty.x = padded.x.masked_fill(~padded.mask.unsqueeze(2), 7.0f);

  EXPECT_TRUE(torch::equal(net.encode(tight), net.encode(padded)));
  EXPECT_TRUE(torch::equal(net.encode(tight), net.encode(dirty)));
  for (const OrderBatch* b : {static_cast<const OrderBatch*>(&padded), static_cast<const OrderBatch*>(&dirty)}) {
    auto g1 = at::make_generator<at::CPUGeneratorImpl>(9);
    auto g2 = at::make_generator<at::CPUGeneratorImpl>(9);
    const auto a = ml2_loss(tight, net.forward(tight, &g1), 0.01, 1.0);
    const auto c = ml2_loss(*b, net.forward(*b, &g2), 0.01, 1.0);
    EXPECT_TRUE(torch::equal(a.total, c.total)) << a.total.item<double>() << " vs " << c.total.item<double>();
    EXPECT_TRUE(torch::equal(a.reconstruction, c.reconstruction));
    EXPECT_TRUE(torch::equal(a.stop, c.stop));
    EXPECT_TRUE(torch::equal(a.kl, c.kl));
  }
}

TEST_P(BothPresets, SampledLengthsStayWithinTheTrainedRange) {
  auto m = model_with_stats(GetParam(), random_orders({5, 9, 7}, 2));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
  for (const auto& o : m.sample(20, gen, 1, 24)) {
    EXPECT_GE(o.size(0), 5);
    EXPECT_LE(o.size(0), 9);
    EXPECT_EQ(o.size(1), kDim);
  }
  for (const auto& o : m.sample(10, gen, 7, 20)) {
    EXPECT_GE(o.size(0), 7);
    EXPECT_LE(o.size(0), 9);
  }
  // A requested range outside the trained one wins.
  for (const auto& o : m.sample(5, gen, 12, 14)) {
    EXPECT_GE(o.size(0), 12);
    EXPECT_LE(o.size(0), 14);
  }
  EXPECT_THROW(m.sample(1, gen, 0, 5), SettingsError);
  EXPECT_THROW(m.sample(1, gen, 6, 5), SettingsError);
  EXPECT_THROW(m.sample(1, gen, 1, 25), SettingsError);
}

TEST_P(BothPresets, TheSameSeedGivesTheSameSamples) {
  auto m = model_with_stats(GetParam(), random_orders({5, 9, 7}, 2));
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(77);
  auto g2 = at::make_generator<at::CPUGeneratorImpl>(77);
  auto g3 = at::make_generator<at::CPUGeneratorImpl>(78);
  const auto a = m.sample(3, g1, 1, 24);
  const auto b = m.sample(3, g2, 1, 24);
  const auto c = m.sample(3, g3, 1, 24);
  ASSERT_EQ(a.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
  EXPECT_FALSE(a[0].sizes() == c[0].sizes() && torch::equal(a[0], c[0]));
}

TEST_P(BothPresets, ASongOfOneStepEncodesReconstructsAndHasAFiniteLoss) {
  const auto orders = random_orders({1, 1, 3}, 6);
  auto m = model_with_stats(GetParam(), orders);
  const auto rec = m.reconstruct({orders[0]});
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_GE(rec[0].size(0), 1);
  EXPECT_LE(rec[0].size(0), 3);
  const auto batch = m.net().make_batch({orders[0]});
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto loss = ml2_loss(batch, m.net().forward(batch, &gen), 0.01, 1.0);
  EXPECT_TRUE(std::isfinite(loss.total.item<double>()));
  EXPECT_EQ(m.encode({orders[0]}).sizes(), (std::vector<int64_t>{1, 4}));
}

TEST_P(BothPresets, InterpolationStartsAndEndsAtTheTwoSongs) {
  const auto orders = random_orders({6, 10}, 8);
  auto m = model_with_stats(GetParam(), orders);
  const auto path = m.interpolate(orders[0], orders[1], 5);
  ASSERT_EQ(path.size(), 5u);
  const auto ends = m.reconstruct(orders);
  EXPECT_TRUE(torch::allclose(path.front(), ends[0], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(path.back(), ends[1], 1e-5, 1e-5));
  EXPECT_THROW(m.interpolate(orders[0], orders[1], 1), SettingsError);
}

TEST_P(BothPresets, SaveThenLoadGivesTheSameModel) {
  const auto orders = random_orders({6, 10, 3}, 8);
  auto m = model_with_stats(GetParam(), orders);
  m.set_ml1_version("ml1-v7");
  auto l = load_ml2(save_ml2_checkpoint(m), torch::kCPU, "agent/ml2.ckpt");
  EXPECT_EQ(l.ml1_version(), "ml1-v7");
  EXPECT_EQ(l.settings().preset, GetParam());
  EXPECT_TRUE(torch::equal(l.encode(orders), m.encode(orders)));
  const auto s = l.net().stats();
  EXPECT_EQ(s.max_length, 10);
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(5);
  auto g2 = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto a = m.sample(2, g1, 1, 24);
  const auto b = l.sample(2, g2, 1, 24);
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(torch::equal(a[i], b[i]));
}

TEST_P(BothPresets, CorruptTruncatedOrForeignCheckpointsAreRefusedOnOneLine) {
  auto m = model_with_stats(GetParam(), random_orders({4, 6}, 8));
  const auto bytes = save_ml2_checkpoint(m);
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x01;
  const std::pair<std::string, std::string> cases[] = {{flipped, "checksum"},
                                                       {bytes.substr(0, bytes.size() - 10), "truncated"},
                                                       {"not a checkpoint at all", "not a Meta Human"}};
  for (const auto& [b, fragment] : cases) {
    try {
      load_ml2(b, torch::kCPU, "agent/ml2.ckpt");
      ADD_FAILURE() << "expected CheckpointError containing " << fragment;
    } catch (const CheckpointError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("agent/ml2.ckpt: "), std::string::npos) << what;
      EXPECT_NE(what.find(fragment), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST_P(BothPresets, AnUntrainedModelOrATooLongOrderIsRefused) {
  Ml2 fresh(tiny_settings(GetParam()), kDim, torch::kCPU);
  EXPECT_THROW(fresh.encode(random_orders({3}, 1)), CheckpointError);
  auto m = model_with_stats(GetParam(), random_orders({4, 6}, 8));
  EXPECT_THROW(m.encode(random_orders({25}, 1)), ShapeError);
  EXPECT_THROW(m.encode({torch::zeros({3, kDim + 1})}), ShapeError);
}

INSTANTIATE_TEST_SUITE_P(Ml2, BothPresets, ::testing::Values("sequence", "dense"));

TEST(Ml2Lengths, AreTheMedianOfTheLengthDistributionTheStopLogitsImply) {
  const double big = 20;
  // Song 0 stops surely at step 3; song 1 has p = 0.3 every step: survival 0.7, 0.49 → length 2;
  // song 2 never stops within the horizon.
  const auto logits = torch::tensor({{-big, -big, big, -big, -big},
                                     {std::log(0.3 / 0.7), std::log(0.3 / 0.7), std::log(0.3 / 0.7), 0.0, 0.0},
                                     {-big, -big, -big, -big, -big}});
  EXPECT_TRUE(torch::equal(lengths_from_stop_logits(logits), torch::tensor({3, 2, 5}, torch::kInt64)));
  EXPECT_THROW(lengths_from_stop_logits(torch::zeros({3})), ShapeError);
}

TEST(Ml2Settings, OutOfRangeValuesNameTheField) {
  Ml2Settings s;
  s.validate();
  s.preset = "lstm";
  try {
    s.validate();
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("ml2.preset"), std::string::npos);
  }
  s = {};
  s.max_length = 0;
  EXPECT_THROW(s.validate(), SettingsError);
  s = {};
  s.kl_weight = -1;
  EXPECT_THROW(s.validate(), SettingsError);
  const auto back = Ml2Settings::from_json(Ml2Settings{}.to_json());
  EXPECT_EQ(back.to_json(), Ml2Settings{}.to_json());
  EXPECT_THROW(Ml2Settings::from_json(nlohmann::json::object()), SettingsError);
}

TEST(SequenceVae, EncodesEachSongAsIfItWereAlone) {
  const auto orders = random_orders({3, 12, 7}, 4);
  auto m = model_with_stats("sequence", orders);
  const auto together = m.encode(orders);
  for (size_t i = 0; i < orders.size(); ++i) {
    EXPECT_TRUE(torch::allclose(together[static_cast<int64_t>(i)], m.encode({orders[i]})[0], 1e-5, 1e-6)) << i;
  }
}

}  // namespace mh::model
