#include "model/song_order_bytes.hpp"

#include <fmt/format.h>

#include <cstring>

#include "core/errors.hpp"
#include "model/checkpoint_framing.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "song order files store little-endian float32; add byte swapping for this target"
#endif

namespace mh::model {

std::string save_song_orders(const SongOrders& orders) {
  orders.validate();
  nlohmann::json lengths = nlohmann::json::array();
  int64_t rows = 0;
  for (const auto& o : orders.orders) {
    lengths.push_back(o.size(0));
    rows += o.size(0);
  }
  const int64_t dim = orders.dim();
  std::string payload;
  payload.reserve(static_cast<size_t>(rows * dim) * sizeof(float));
  for (const auto& o : orders.orders) {
    const auto c = o.to(torch::kCPU).contiguous();
    payload.append(reinterpret_cast<const char*>(c.data_ptr<float>()), static_cast<size_t>(c.numel()) * sizeof(float));
  }
  const nlohmann::json meta = {{"format", kSongOrdersFormat}, {"ml1_version", orders.ml1_version},
                               {"dim", dim},                  {"song_ids", orders.song_ids},
                               {"lengths", lengths}};
  return pack_checkpoint({kSongOrdersKind, meta, payload});
}

SongOrders load_song_orders(std::string_view bytes, const std::string& name) {
  CheckpointBlob blob;
  try {
    blob = unpack_checkpoint(bytes, kSongOrdersKind, name);
  } catch (const CheckpointError& e) {
    throw DatasetError(e.what());  // the message already names the file
  }
  SongOrders out;
  std::vector<int64_t> lengths;
  int64_t dim = 0;
  try {
    const auto& m = blob.metadata;
    const int format = m.at("format").get<int>();
    if (format != kSongOrdersFormat) {
      throw DatasetError(fmt::format("{}: song order format {} is not supported (this build reads {})", name, format,
                                     kSongOrdersFormat));
    }
    out.ml1_version = m.at("ml1_version").get<std::string>();
    out.song_ids = m.at("song_ids").get<std::vector<std::string>>();
    lengths = m.at("lengths").get<std::vector<int64_t>>();
    dim = m.at("dim").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw DatasetError(fmt::format("{}: incomplete metadata ({})", name, e.what()));
  }
  if (lengths.size() != out.song_ids.size()) {
    throw DatasetError(fmt::format("{}: {} lengths for {} song ids", name, lengths.size(), out.song_ids.size()));
  }
  const bool empty = lengths.empty();
  if ((!empty && dim < 1) || dim > (1 << 20)) throw DatasetError(fmt::format("{}: bad dimension {}", name, dim));
  uint64_t values = 0;
  for (const auto len : lengths) {
    if (len < 1 || len > (int64_t{1} << 32)) throw DatasetError(fmt::format("{}: bad order length {}", name, len));
    values += static_cast<uint64_t>(len) * static_cast<uint64_t>(dim);
  }
  if (blob.payload.size() != values * sizeof(float)) {
    throw DatasetError(fmt::format("{}: payload has {} bytes, the metadata needs {}", name, blob.payload.size(),
                                   values * sizeof(float)));
  }
  const char* p = blob.payload.data();
  for (const auto len : lengths) {
    auto t = torch::empty({len, dim}, torch::kFloat32);
    std::memcpy(t.data_ptr<float>(), p, static_cast<size_t>(t.numel()) * sizeof(float));
    p += t.numel() * static_cast<int64_t>(sizeof(float));
    out.orders.push_back(std::move(t));
  }
  try {
    out.validate();
  } catch (const DatasetError& e) {
    throw DatasetError(fmt::format("{}: {}", name, e.what()));
  }
  return out;
}

}  // namespace mh::model
