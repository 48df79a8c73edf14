#pragma once
/// Song orders as bytes (the agent stage writes and reads the files). The framing is the model
/// checkpoint container (model/checkpoint_framing.hpp, kind "song_orders"): magic, version, JSON
/// metadata (ML1 version, song ids, lengths, D) and a checksum over everything; the payload is
/// the orders' float32 values, little-endian, concatenated in song order, row-major.
#include <string>
#include <string_view>

#include "model/song_order.hpp"

namespace mh::model {

inline constexpr const char* kSongOrdersKind = "song_orders";
inline constexpr int kSongOrdersFormat = 1;

/// Throws DatasetError when `orders` is inconsistent (see SongOrders::validate).
std::string save_song_orders(const SongOrders& orders);

/// Verifies and decodes bytes written by save_song_orders; orders come back on the CPU.
/// Throws DatasetError "<name>: <reason>" (one line) for a foreign, truncated, corrupted or
/// inconsistent file.
SongOrders load_song_orders(std::string_view bytes, const std::string& name = "song orders");

}  // namespace mh::model
