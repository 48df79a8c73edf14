// Checkpoints and song-order files carry a checksum over every byte: a flipped byte anywhere is
// refused with one line naming the file, before LibTorch reads the payload.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/song_order_bytes.hpp"

namespace mh::model {
namespace {

std::string ml1_bytes() {
  auto o = ConvVaeOptions::fast(16, 8);
  o.filters = {4, 4};
  o.kernels = {{3, 3}, {3, 3}};
  o.strides = {{2, 2}, {2, 2}};
  o.latent_dim = 4;
  Ml1Settings s;
  ConvVae vae(o);
  return save_ml1_checkpoint(s, vae, make_adam(vae, 1e-3).get(), Ml1TrainingState{});
}

std::string ml2_bytes() {
  Ml2Settings s;
  s.preset = "dense";
  s.latent_dim = 4;
  s.max_length = 8;
  return save_ml2_checkpoint(Ml2(s, 3, torch::kCPU));
}

std::string orders_bytes() {
  SongOrders o;
  o.ml1_version = "v1";
  o.song_ids = {"a", "b"};
  o.orders = {torch::rand({3, 4}), torch::rand({2, 4})};
  return save_song_orders(o);
}

// Every byte of the framing and metadata, and a spread of payload bytes, flipped one at a time.
template <typename Error, typename Load>
void expect_every_flip_refused(const std::string& good, const std::string& name, Load&& load) {
  ASSERT_NO_THROW(load(good));
  const size_t stride = std::max<size_t>(1, good.size() / 1500);
  int refused = 0;
  for (size_t pos = 0; pos < good.size(); pos += pos < 512 ? 1 : stride) {
    auto bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    try {
      load(bad);
      ADD_FAILURE() << name << ": flipped byte " << pos << " of " << good.size() << " was accepted";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_EQ(what.rfind(name + ": ", 0), 0u) << what;
      ++refused;
    }
  }
  EXPECT_GE(refused, static_cast<int>(std::min<size_t>(good.size(), 500)));
}

}  // namespace

TEST(Checksums, AnMl1CheckpointWithAnyByteFlippedIsRefusedWithOneLine) {
  expect_every_flip_refused<CheckpointError>(ml1_bytes(), "ml1.ckpt",
                                             [](const std::string& b) { load_ml1_checkpoint(b, torch::kCPU, "ml1.ckpt"); });
}

TEST(Checksums, AnMl2CheckpointWithAnyByteFlippedIsRefusedWithOneLine) {
  expect_every_flip_refused<CheckpointError>(ml2_bytes(), "ml2.ckpt",
                                             [](const std::string& b) { load_ml2_checkpoint(b, torch::kCPU, "ml2.ckpt"); });
}

TEST(Checksums, ASongOrderFileWithAnyByteFlippedIsRefusedWithOneLine) {
  expect_every_flip_refused<DatasetError>(orders_bytes(), "orders.bin",
                                          [](const std::string& b) { load_song_orders(b, "orders.bin"); });
}

}  // namespace mh::model
