#include "audio/sndfile_memory.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace mh::audio {
namespace {

MemoryFile& self(void* user) { return *static_cast<MemoryFile*>(user); }

sf_count_t get_filelen(void* user) { return static_cast<sf_count_t>(self(user).bytes.size()); }

sf_count_t seek(sf_count_t offset, int whence, void* user) {
  auto& f = self(user);
  sf_count_t base = 0;
  if (whence == SEEK_CUR) base = f.position;
  if (whence == SEEK_END) base = static_cast<sf_count_t>(f.bytes.size());
  const sf_count_t target = base + offset;
  if (target < 0) return -1;
  f.position = target;
  return f.position;
}

sf_count_t read(void* ptr, sf_count_t count, void* user) {
  auto& f = self(user);
  const auto size = static_cast<sf_count_t>(f.bytes.size());
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, size - f.position));
  if (n > 0) std::memcpy(ptr, f.bytes.data() + f.position, static_cast<std::size_t>(n));
  f.position += n;
  return n;
}

sf_count_t write(const void* ptr, sf_count_t count, void* user) {
  auto& f = self(user);
  const auto end = static_cast<std::size_t>(f.position + count);
  // Seeking past the end and writing leaves a zero-filled gap, as a real file would.
  if (end > f.bytes.size()) f.bytes.resize(end, '\0');
  std::memcpy(f.bytes.data() + f.position, ptr, static_cast<std::size_t>(count));
  f.position += count;
  return count;
}

sf_count_t tell(void* user) { return self(user).position; }

}  // namespace

SF_VIRTUAL_IO& MemoryFile::io() {
  static SF_VIRTUAL_IO callbacks{get_filelen, seek, read, write, tell};
  return callbacks;
}

}  // namespace mh::audio
