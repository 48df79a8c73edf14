#include "conversation/song_files.hpp"

#include <fmt/format.h>

#include "conversation/session_paths.hpp"

namespace mh::conversation {

std::filesystem::path song_wav_path(int64_t song, const std::string& singer, const std::string& kind) {
  return std::filesystem::path(kSongsDir) / fmt::format("{:04d}_{}_{}.wav", song, singer, kind);
}

}  // namespace mh::conversation
