#pragma once
/// Which file of a session folder a web request may read: the live page serves the session's
/// songs, spectrograms and logs, and nothing else on the machine.
#include <filesystem>
#include <optional>
#include <string>

namespace mh::report {

/// The regular file that `request_path` (a URL path, already percent-decoded, such as
/// "/songs/0001_a_human.wav") names inside `session_root`, which must be canonical. Every
/// symbolic link on the way is resolved first, so `..`, absolute paths and links that lead out
/// of the folder all give nullopt, as do folders, missing files and paths holding a NUL.
std::optional<std::filesystem::path> resolve_session_file(const std::filesystem::path& session_root,
                                                          const std::string& request_path);

/// The Content-Type a browser needs for a session file, from its extension.
std::string content_type_of(const std::filesystem::path& file);

}  // namespace mh::report
