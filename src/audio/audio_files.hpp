#pragma once
/// Finding audio files by name.
#include <filesystem>
#include <vector>

namespace mh::audio {

/// True when the extension is one read_audio decodes: wav, flac, ogg, oga, opus, mp3, aif,
/// aiff (any letter case). Looks at the name only.
bool is_audio_file(const std::filesystem::path& path);

/// A file: itself (whatever its extension: naming it is a request to read it). A folder: every
/// audio file below it, recursively, sorted by path so that the order is the same everywhere.
/// Hidden entries (names starting with '.', such as "._song.wav" resource forks) are skipped,
/// and symbolic links to folders are not followed. Throws InputError naming the path when it
/// does not exist or a folder cannot be listed.
std::vector<std::filesystem::path> list_audio_files(const std::filesystem::path& file_or_folder);

}  // namespace mh::audio
