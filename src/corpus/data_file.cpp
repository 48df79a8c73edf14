#include "corpus/data_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::corpus::detail {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the store format is little-endian");

constexpr char kMagic[8] = {'M', 'H', 'S', 'N', 'I', 'P', 'P', 'T'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kEncodingUint16 = 1;

void put_u32(std::string& out, std::size_t at, std::uint32_t v) { std::memcpy(out.data() + at, &v, 4); }
std::uint32_t get_u32(const std::string& in, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, in.data() + at, 4);
  return v;
}
std::uint32_t header_check(const std::string& h) {
  return static_cast<std::uint32_t>(fnv1a64(std::string_view(h.data(), 28)) & 0xffffffffu);
}

}  // namespace

Manifest load_manifest(const std::filesystem::path& dir) {
  const auto path = dir / kManifestFileName;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw DatasetError(fmt::format("{}: no snippet store here (no {})", dir.string(), kManifestFileName));
  }
  std::string bytes;
  try {
    bytes = read_file(path, 1ull << 32);
  } catch (const InputError& e) {
    throw DatasetError(e.what());
  }
  return Manifest::parse(bytes, path.string());
}

std::string encode_header(const StoreShape& shape) {
  std::string h(kHeaderBytes, '\0');
  std::memcpy(h.data(), kMagic, 8);
  put_u32(h, 8, kVersion);
  put_u32(h, 12, static_cast<std::uint32_t>(kHeaderBytes));
  put_u32(h, 16, static_cast<std::uint32_t>(shape.n_mels));
  put_u32(h, 20, static_cast<std::uint32_t>(shape.frames));
  put_u32(h, 24, kEncodingUint16);
  put_u32(h, 28, header_check(h));
  return h;
}

StoreShape decode_header(const std::string& h, const std::string& name) {
  if (h.size() < kHeaderBytes || std::memcmp(h.data(), kMagic, 8) != 0) {
    throw DatasetError(fmt::format("{}: not a snippet data file (bad magic)", name));
  }
  if (get_u32(h, 8) != kVersion) {
    throw DatasetError(fmt::format("{}: data format version {} is not supported (this program reads {})", name,
                                   get_u32(h, 8), kVersion));
  }
  if (get_u32(h, 28) != header_check(h)) throw DatasetError(fmt::format("{}: header checksum mismatch", name));
  if (get_u32(h, 12) != kHeaderBytes || get_u32(h, 24) != kEncodingUint16) {
    throw DatasetError(fmt::format("{}: unsupported header size {} or encoding {}", name, get_u32(h, 12), get_u32(h, 24)));
  }
  return StoreShape{get_u32(h, 16), get_u32(h, 20)};
}

std::vector<std::uint16_t> quantise(const torch::Tensor& items) {
  const auto x = items.to(torch::kCPU, torch::kFloat32).contiguous();
  if (!torch::isfinite(x).all().item<bool>()) {
    throw InputError("snippets hold NaN or infinite values");
  }
  const auto q = (x.clamp(0.0, 1.0) * 65535.0).round().to(torch::kInt32).contiguous();
  const auto* src = q.data_ptr<std::int32_t>();
  std::vector<std::uint16_t> out(static_cast<std::size_t>(q.numel()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint16_t>(src[i]);
  return out;
}

void dequantise(const std::uint16_t* in, std::int64_t count, float* out) {
  constexpr float kScale = 1.0f / 65535.0f;
  for (std::int64_t i = 0; i < count; ++i) out[i] = static_cast<float>(in[i]) * kScale;
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t pread_full(int fd, void* buf, std::size_t n, std::int64_t offset) {
  auto* p = static_cast<char*>(buf);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, p + done, n - done, static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void pwrite_full(int fd, const void* buf, std::size_t n, std::int64_t offset, const std::filesystem::path& shown) {
  const auto* p = static_cast<const char*>(buf);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t put = ::pwrite(fd, p + done, n - done, static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) throw IoError(fmt::format("{}: write failed: {}", shown.string(), std::strerror(errno)));
    done += static_cast<std::size_t>(put);
  }
}

}  // namespace mh::corpus::detail
