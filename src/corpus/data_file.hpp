#pragma once
/// The snippet store's data file: header, quantisation and positioned reads and writes. Used by
/// the store's implementation only.
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "corpus/manifest.hpp"
#include "corpus/snippet_store.hpp"

namespace mh::corpus::detail {

constexpr std::size_t kHeaderBytes = 32;
constexpr const char* kDataFileName = "snippets.bin";
constexpr const char* kManifestFileName = "manifest.json";

/// Reads and parses `dir`/manifest.json. Throws DatasetError naming the file.
Manifest load_manifest(const std::filesystem::path& dir);

/// The 32-byte header: magic "MHSNIPPT", version, header size, n_mels, frames, encoding
/// (1 = uint16 little-endian), then the low 32 bits of the FNV-1a 64 of the first 28 bytes.
std::string encode_header(const StoreShape& shape);
/// Throws DatasetError prefixed with `name` for a foreign or damaged header.
StoreShape decode_header(const std::string& bytes, const std::string& name);

inline std::int64_t item_bytes(const StoreShape& s) { return s.values() * 2; }
inline std::int64_t item_offset(const StoreShape& s, std::int64_t id) {
  return static_cast<std::int64_t>(kHeaderBytes) + id * item_bytes(s);
}

/// [N, values] float (any dtype) → N·values uint16: round(clamp(v, 0, 1)·65535). Throws
/// InputError when a value is NaN or infinite.
std::vector<std::uint16_t> quantise(const torch::Tensor& items);
/// `count` uint16 → float32 q/65535 into `out`.
void dequantise(const std::uint16_t* in, std::int64_t count, float* out);

/// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

/// Reads exactly `n` bytes at `offset`; returns the bytes read (short at end of file).
std::size_t pread_full(int fd, void* buf, std::size_t n, std::int64_t offset);
/// Writes exactly `n` bytes at `offset`. Throws IoError naming `shown`.
void pwrite_full(int fd, const void* buf, std::size_t n, std::int64_t offset, const std::filesystem::path& shown);

}  // namespace mh::corpus::detail

namespace mh::corpus {

struct SnippetStore::State {
  std::filesystem::path dir;
  std::filesystem::path data_path;
  Manifest manifest;
  detail::Fd read_fd;
  bool appending = false;  ///< a session of this object is open
  mutable std::atomic<std::uint64_t> bytes_read{0};
};

}  // namespace mh::corpus
