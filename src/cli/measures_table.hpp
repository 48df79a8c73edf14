#pragma once
/// The conversation's measures (measures.jsonl) as a plain-text table for the terminal.
#include <filesystem>
#include <string>

namespace mh::cli {

/// One row per agent and dream; "(no dreams yet)" when the file is absent or empty.
std::string measures_table(const std::filesystem::path& session);

}  // namespace mh::cli
