// Song orders of an agent: computing them with the current ML1 and caching them in orders.bin.
#include <fmt/format.h>

#include "agent/agent.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "model/song_order_bytes.hpp"

namespace mh::agent {
namespace fs = std::filesystem;

namespace {

// Snippets encoded per batch of songs: short songs share batches, and memory stays bounded
// (256 snippets of 128 × 128 are 16 MiB).
constexpr int64_t kSnippetsPerBatch = 256;

}  // namespace

model::SongOrders Agent::song_orders() {
  const auto version = ml1_version();
  if (version.empty()) (void)ml1();  // throws the "no trained ML1" error
  const auto& songs = store_->manifest().songs();
  const auto n_songs = static_cast<int64_t>(songs.size());
  if (orders_cache_ && orders_cache_->ml1_version == version && orders_cache_->size() == n_songs) {
    return *orders_cache_;
  }
  model::SongOrders orders;
  orders.ml1_version = version;
  if (fs::exists(orders_path())) {
    model::SongOrders stored;
    try {
      stored = model::load_song_orders(read_file(orders_path()), orders_path().string());
    } catch (const DatasetError& e) {
      throw DatasetError(fmt::format("{} (delete the file and the orders will be recomputed)", e.what()));
    }
    // The store only ever appends songs, so orders of the same ML1 stay valid for the songs they
    // cover; they are checked to be exactly the first songs before being reused.
    bool reusable = stored.ml1_version == version && stored.size() <= n_songs;
    for (int64_t i = 0; reusable && i < stored.size(); ++i) {
      reusable = stored.song_ids[static_cast<size_t>(i)] == std::to_string(i) &&
                 stored.orders[static_cast<size_t>(i)].size(0) == songs[static_cast<size_t>(i)].n_snippets();
    }
    if (reusable) orders = std::move(stored);
  }
  if (orders.size() < n_songs) {
    std::vector<torch::Tensor> mels;
    std::vector<int64_t> lengths;
    int64_t pending = 0;
    auto flush = [&] {
      if (mels.empty()) return;
      const auto mu = encode(torch::cat(mels, 0)).to(torch::kFloat32).contiguous();
      int64_t at = 0;
      for (const auto len : lengths) {
        orders.song_ids.push_back(std::to_string(orders.size()));
        orders.orders.push_back(mu.narrow(0, at, len).clone());
        at += len;
      }
      mels.clear();
      lengths.clear();
      pending = 0;
    };
    for (int64_t id = orders.size(); id < n_songs; ++id) {
      auto mel = store_->read_song(id).squeeze(1);
      pending += mel.size(0);
      lengths.push_back(mel.size(0));
      mels.push_back(std::move(mel));
      if (pending >= kSnippetsPerBatch) flush();
    }
    flush();
    orders.validate();
    write_file_atomic(orders_path(), model::save_song_orders(orders));
  }
  orders_cache_ = orders;
  return orders;
}

torch::Tensor Agent::song_order(int64_t song_id) {
  const auto n_songs = static_cast<int64_t>(store_->manifest().songs().size());
  if (song_id < 0 || song_id >= n_songs) {
    throw DatasetError(fmt::format("{}: there is no song {}: the dataset holds songs 0 to {}", dir_.string(), song_id,
                                   n_songs - 1));
  }
  return song_orders().orders[static_cast<size_t>(song_id)];
}

}  // namespace mh::agent
