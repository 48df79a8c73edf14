#pragma once
/// The training set of an agent's current training run, kept beside its checkpoint
/// (`ml1_train_set.json`: item ids; `ml2_train_set.json`: song ids), so that an interrupted epoch
/// can be finished on exactly the set it began with even when the caller now trains on another.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace mh::agent {

/// Written atomically. Throws IoError.
void save_train_set(const std::filesystem::path& path, const std::vector<int64_t>& ids);
/// The saved ids, or nothing when the file is absent. Throws DatasetError for a malformed file.
std::optional<std::vector<int64_t>> load_train_set(const std::filesystem::path& path);

}  // namespace mh::agent
