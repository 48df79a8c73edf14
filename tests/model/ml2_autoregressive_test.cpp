// The autoregressive ML2 preset: windows, the next-step objective, a tiny task learned, songs
// that move like the training songs without copying them, determinism and save/load.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/errors.hpp"
#include "model/ml2_autoregressive.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/ml2_next_step.hpp"
#include "model/ml2_trainer.hpp"
#include "model/order_motion.hpp"

namespace mh::model {

namespace {

constexpr int64_t kArDim = 6;

torch::Generator ar_generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// Songs as sines in 6-D of a song-specific frequency and phase, shifted per coordinate, with a
// song-specific offset per coordinate so that songs also differ in where they sit.
SongOrders ar_sine_songs(int64_t n, uint64_t seed, int64_t min_len, int64_t max_len) {
  auto gen = ar_generator(seed);
  const auto u = torch::rand({n, 3}, gen);
  const auto offsets = torch::randn({n, kArDim}, gen) * 0.5;
  SongOrders s;
  s.ml1_version = "ml1-test";
  const auto shift = torch::arange(kArDim, torch::kFloat32).unsqueeze(0) * (M_PI / 3);
  for (int64_t i = 0; i < n; ++i) {
    const double omega = 0.3 + 0.5 * u[i][0].item<double>();
    const double phase = 2 * M_PI * u[i][1].item<double>();
    const int64_t len = min_len + static_cast<int64_t>(u[i][2].item<double>() * (max_len - min_len + 1) * 0.999);
    const auto t = torch::arange(len, torch::kFloat32).unsqueeze(1);
    s.orders.push_back((torch::sin(t * omega + phase + shift) + offsets[i].unsqueeze(0)).contiguous());
    s.song_ids.push_back("song" + std::to_string(i));
  }
  return s;
}

std::vector<int64_t> ar_index_range(int64_t from, int64_t to) {
  std::vector<int64_t> v(static_cast<size_t>(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

Ml2Settings ar_settings(int epochs) {
  Ml2Settings s;
  s.preset = "autoregressive";
  s.hidden = 48;
  s.max_length = 40;
  s.batch_size = 8;
  s.learning_rate = 5e-3;
  s.epochs = epochs;
  s.mixtures = 2;
  s.crops_per_song = 4;
  s.crop_min = 6;
  s.crop_max = 24;
  s.input_noise = 0.05;
  s.seed = 5;
  return s;
}

// An untrained model with statistics from `orders`.
Ml2 ar_untrained(const std::vector<torch::Tensor>& orders) {
  Ml2 m(ar_settings(1), kArDim, torch::kCPU);
  m.net().set_stats(OrderStats::compute(orders));
  return m;
}

}  // namespace

TEST(NextStepWindows, PredictEachStepFromTheOneBeforeWithTheStartTokenAtASongsStart) {
  const auto song = torch::arange(10 * 2, torch::kFloat32).view({10, 2});
  auto gen = ar_generator(1);
  const auto b = draw_windows({song}, {20, 3, 5, 0.0}, gen);
  ASSERT_EQ(b.size(), 20);
  bool saw_start = false, saw_middle = false;
  for (int64_t i = 0; i < b.size(); ++i) {
    const int64_t len = b.mask[i].sum().item<int64_t>();
    EXPECT_GE(len, 3);
    EXPECT_LE(len, 5);
    // Rows are 2·index, 2·index + 1: the first target says where the window starts.
    const int64_t start = b.targets[i][0][0].item<int64_t>() / 2;
    EXPECT_TRUE(torch::equal(b.targets[i].narrow(0, 0, len), song.narrow(0, start, len)));
    EXPECT_EQ(b.starts[i].item<bool>(), start == 0);
    if (start > 0) {
      EXPECT_TRUE(torch::equal(b.previous[i].narrow(0, 0, len), song.narrow(0, start - 1, len)));
      saw_middle = true;
    } else {
      EXPECT_TRUE(torch::equal(b.previous[i].narrow(0, 1, len - 1), song.narrow(0, 0, len - 1)));
      saw_start = true;
    }
  }
  EXPECT_TRUE(saw_start && saw_middle);
  // A song shorter than the shortest window is taken whole.
  const auto short_song = torch::ones({2, 2});
  const auto whole = draw_windows({short_song}, {3, 6, 8, 0.0}, gen);
  EXPECT_EQ(whole.mask.sum().item<int64_t>(), 6);
  EXPECT_TRUE(whole.starts.all().item<bool>());
}

TEST(NextStepLoss, IsTheGaussianNegativeLogLikelihoodPerCoordinate) {
  NextStepBatch b{torch::zeros({1, 2, 3}), torch::ones({1}, torch::kBool), torch::ones({1, 2, 3}),
                  torch::tensor({{true, false}})};
  NextStepMixture m{torch::zeros({1, 2, 1}), torch::zeros({1, 2, 1, 3}), torch::zeros({1, 2, 1, 3})};
  const auto loss = next_step_loss(m, b);
  // Unit Gaussian at 0, target 1: ½ + ½ ln 2π per coordinate; the masked step does not count.
  EXPECT_NEAR(loss.nll.item<double>(), 0.5 + 0.5 * std::log(2 * M_PI), 1e-6);
  EXPECT_NEAR(loss.mse.item<double>(), 1.0, 1e-6);
  m.mean = torch::zeros({1, 2, 2, 3});
  EXPECT_THROW(next_step_loss(m, b), ShapeError);
}

TEST(AutoregressiveMl2, LearnsSinePathsAndComposesSongsThatMoveLikeThemWithoutCopyingThem) {
  const auto data = ar_sine_songs(40, 1, 12, 30);
  Ml2Trainer trainer(ar_settings(60), kArDim, torch::kCPU);
  const auto train = ar_index_range(0, 32);
  trainer.train(data, train, ar_index_range(32, 40));
  const auto& history = trainer.history();
  ASSERT_EQ(history.size(), 60u);
  EXPECT_LT(history.back().val_reconstruction, 0.25 * history.front().val_reconstruction)
      << history.front().val_reconstruction << " → " << history.back().val_reconstruction;
  EXPECT_TRUE(std::isnan(history.back().val_length_error));

  auto gen = ar_generator(3);
  auto& net = trainer.model().net();
  net.eval();
  const auto songs = trainer.model().sample(8, gen, 1, 40);
  std::vector<torch::Tensor> human, training;
  for (const auto i : train) training.push_back(data.orders[static_cast<size_t>(i)]);
  human.assign(training.begin(), training.begin() + 8);
  const auto c = compare_motion(human, songs, training, 6);
  const double step = c.machine.step / c.human.step, spread = c.machine.spread / c.human.spread;
  EXPECT_GT(step, 0.6) << c.to_json().dump();
  EXPECT_LT(step, 1.6) << c.to_json().dump();
  EXPECT_GT(spread, 0.6) << c.to_json().dump();
  EXPECT_LT(spread, 1.6) << c.to_json().dump();
  EXPECT_GT(c.machine.variety, 0.5 * c.human.variety) << c.to_json().dump();
  // Not copied out: as far from the training songs as a training song is from the others.
  EXPECT_GT(c.machine_nearest, 0.3 * c.human_nearest) << c.to_json().dump();
  EXPECT_GT(c.machine_closest_pair, 0.0) << c.to_json().dump();
}

TEST(AutoregressiveMl2, TheSameSeedGivesTheSameSongsAndLengthsFollowTheRequest) {
  const auto orders = ar_sine_songs(4, 2, 8, 14).orders;
  auto m = ar_untrained(orders);
  auto g1 = ar_generator(7), g2 = ar_generator(7), g3 = ar_generator(8);
  const auto a = m.sample(3, g1, 1, 40);
  const auto b = m.sample(3, g2, 1, 40);
  const auto c = m.sample(3, g3, 1, 40);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
    EXPECT_GE(a[i].size(0), 8);  // the trained range
    EXPECT_LE(a[i].size(0), 14);
    EXPECT_EQ(a[i].size(1), kArDim);
  }
  EXPECT_FALSE(a[0].sizes() == c[0].sizes() && torch::equal(a[0], c[0]));
  // Beyond the trained range, up to max_length, in one piece.
  for (const auto& song : m.sample(2, g1, 33, 33)) EXPECT_EQ(song.size(0), 33);
  EXPECT_EQ(m.net().longest_song(), 40);
  EXPECT_THROW(m.sample(1, g1, 1, 41), SettingsError);
}

TEST(AutoregressiveMl2, SaveThenLoadGivesTheSameSongs) {
  const auto orders = ar_sine_songs(4, 2, 8, 14).orders;
  auto m = ar_untrained(orders);
  m.set_ml1_version("ml1-v3");
  auto l = load_ml2(save_ml2_checkpoint(m), torch::kCPU, "agent/ml2.ckpt");
  EXPECT_EQ(l.settings().preset, "autoregressive");
  EXPECT_EQ(l.settings().to_json(), m.settings().to_json());
  EXPECT_EQ(l.ml1_version(), "ml1-v3");
  auto g1 = ar_generator(5), g2 = ar_generator(5);
  const auto a = m.sample(2, g1, 1, 40);
  const auto b = l.sample(2, g2, 1, 40);
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
  const auto ra = m.reconstruct(orders), rb = l.reconstruct(orders);
  for (size_t i = 0; i < orders.size(); ++i) {
    EXPECT_EQ(ra[i].sizes(), orders[i].sizes());
    EXPECT_TRUE(torch::equal(ra[i], rb[i]));
  }
}

TEST(AutoregressiveMl2, HasNoSongLatentAndInterpolatesTheOrdersThemselves) {
  const auto orders = ar_sine_songs(2, 4, 6, 12).orders;
  auto m = ar_untrained(orders);
  EXPECT_FALSE(m.net().has_song_latent());
  EXPECT_THROW(m.encode(orders), SettingsError);
  const auto a = orders[0], b = orders[1];
  const auto path = m.interpolate(a, b, 5);
  ASSERT_EQ(path.size(), 5u);
  EXPECT_TRUE(torch::equal(path.front(), a));
  EXPECT_TRUE(torch::equal(path.back(), b));
  const auto mid_len = std::llround(0.5 * static_cast<double>(a.size(0) + b.size(0)));
  EXPECT_EQ(path[2].size(0), mid_len);
  EXPECT_TRUE(torch::allclose(path[2], 0.5 * resample_order(a, mid_len) + 0.5 * resample_order(b, mid_len)));
  EXPECT_THROW(m.interpolate(a, b, 1), SettingsError);
}

TEST(AutoregressiveMl2, ResamplingKeepsTheEndsAndInterpolatesLinearly) {
  const auto order = torch::tensor({{0.0f}, {2.0f}, {4.0f}});
  EXPECT_TRUE(torch::allclose(resample_order(order, 5), torch::tensor({{0.0f}, {1.0f}, {2.0f}, {3.0f}, {4.0f}})));
  EXPECT_TRUE(torch::equal(resample_order(order, 3), order));
  EXPECT_TRUE(torch::allclose(resample_order(order, 2), torch::tensor({{0.0f}, {4.0f}})));
  EXPECT_EQ(resample_order(order.narrow(0, 0, 1), 4).size(0), 4);
}

TEST(AutoregressiveMl2, SettingsOutOfRangeNameTheField) {
  auto message = [](Ml2Settings s) {
    try {
      s.validate();
      return std::string();
    } catch (const SettingsError& e) {
      return std::string(e.what());
    }
  };
  Ml2Settings s;
  EXPECT_EQ(s.preset, "autoregressive");
  EXPECT_EQ(message(s), "");
  s.mixtures = 0;
  EXPECT_EQ(message(s), "ml2.mixtures = 0 is out of range: allowed [1, 64]");
  s = {};
  s.temperature = 0;
  EXPECT_EQ(message(s), "ml2.temperature = 0 is out of range: allowed (0, 10]");
  s = {};
  s.crop_min = 10;
  s.crop_max = 9;
  EXPECT_EQ(message(s), "ml2.crop_max = 9 is out of range: allowed [ml2.crop_min = 10, 100000]");
  s = {};
  s.input_noise = -0.1;
  EXPECT_NE(message(s).find("ml2.input_noise = -0.1 is out of range"), std::string::npos);
  Ml2 m(Ml2Settings{}, 4, torch::kCPU);
  auto& ar = dynamic_cast<AutoregressiveImpl&>(m.net());
  EXPECT_THROW(ar.set_temperature(-1), SettingsError);
  ar.set_temperature(0.5);
  EXPECT_EQ(ar.options().temperature, 0.5);
}

}  // namespace mh::model
