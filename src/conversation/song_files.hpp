#pragma once
/// Naming of a session's songs: `songs/NNNN_<singer>_<kind>.wav`, its JSON sidecar beside it
/// (both written by agent::write_song).
#include <cstdint>
#include <filesystem>
#include <string>

namespace mh::conversation {

/// "songs/0007_Valerio_variation.wav", relative to the session folder.
std::filesystem::path song_wav_path(int64_t song, const std::string& singer, const std::string& kind);

}  // namespace mh::conversation
