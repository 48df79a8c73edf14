#pragma once
/// Whole-file reads with a size limit and atomic writes (temporary file in the same directory,
/// fsync, rename), so a crash or a full disk never leaves a half-written file in place.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mh {

/// Reads a whole regular file. Throws InputError naming the file when it is missing, not a
/// regular file, unreadable or larger than `max_bytes`.
std::string read_file(const std::filesystem::path& path, std::uint64_t max_bytes = (1ull << 34));

/// Writes `bytes` to `path` atomically. Throws IoError naming the file on failure; the previous
/// content of `path`, if any, is then untouched.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// Removes the temporaries that write_file_atomic leaves behind when its process is killed
/// mid-write (`NAME.tmp-PID-HEX` in `dir`, not recursive), unless the process PID still runs.
/// Returns the names removed. A missing `dir` is not an error; files it cannot remove stay.
std::vector<std::string> remove_stale_temporaries(const std::filesystem::path& dir);

/// Appends one line (a '\n' is added) and fsyncs: for append-only logs.
void append_line_durable(const std::filesystem::path& path, std::string_view line);

/// FNV-1a 64-bit checksum, for detecting flipped bytes in stored files.
std::uint64_t fnv1a64(std::string_view bytes);

}  // namespace mh
