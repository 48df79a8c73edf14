#pragma once
/// libsndfile virtual I/O over a byte string, so that encoded audio can be built in memory and
/// then written atomically (core/files.hpp) or decoded without touching the disk.
#include <sndfile.h>

#include <string>

namespace mh::audio {

/// A growable in-memory file for sf_open_virtual. Keep it alive while the SNDFILE is open.
struct MemoryFile {
  std::string bytes;
  sf_count_t position = 0;

  /// The callbacks libsndfile calls with `this` as user data.
  static SF_VIRTUAL_IO& io();
};

}  // namespace mh::audio
