#include "conversation/song_files.hpp"

#include <fmt/format.h>

namespace mh::conversation {

std::filesystem::path song_wav_path(int64_t song, const std::string& singer, const std::string& kind) {
  return std::filesystem::path("songs") / fmt::format("{:04d}_{}_{}.wav", song, singer, kind);
}

}  // namespace mh::conversation
