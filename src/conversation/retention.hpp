#pragma once
/// Bounded disk for a conversation that runs for weeks: the dream snapshots an agent keeps, and
/// an optional cap on the songs folder (docs/session_format.md). Songs are the artwork's record,
/// so only their WAVs ever go; sidecars (and the report's spectrograms) stay.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mh::conversation {

/// Removes `agent`'s dream snapshots (`<agent>_<NNN>_ml1_before.ckpt`, `_ml2_before.ckpt`) from
/// `dreams_dir` except those of its last `keep` dreams and of `emancipation_dream` (the first
/// dream that trained on mostly machine music: its snapshots are the models at that moment).
/// `keep` = 0 keeps everything. Returns the names of the files removed, oldest first. Throws
/// IoError when a file cannot be removed.
std::vector<std::string> prune_dream_snapshots(const std::filesystem::path& dreams_dir, const std::string& agent,
                                               int keep, std::optional<int> emancipation_dream);

struct SongsPruned {
  std::vector<std::string> wavs;   ///< file names removed, oldest first
  std::uint64_t bytes_freed = 0;
  std::uint64_t bytes_after = 0;   ///< the songs folder's WAVs afterwards
};

/// When the WAVs of `songs_dir` take more than `max_bytes`, removes those of the oldest songs (by
/// the number their name starts with, `NNNN_...wav`) until they fit, leaving every other file and
/// every song numbered `protect_from` or later (songs the conversation still reads). Sidecars are
/// not counted: they are the record and stay, so counting them would, after enough songs, leave
/// no room for any audio at all.
/// `max_bytes` = 0: no cap. `before_remove`, when set, gets the WAVs chosen before any goes (to
/// draw their spectrograms). Throws IoError when a file cannot be removed.
SongsPruned cap_songs_folder(const std::filesystem::path& songs_dir, std::uint64_t max_bytes, int64_t protect_from,
                             const std::function<void(const std::vector<std::filesystem::path>&)>& before_remove = {});

}  // namespace mh::conversation
