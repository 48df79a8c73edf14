#include "agent/train_set.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::agent {
namespace fs = std::filesystem;

namespace {
constexpr const char* kFormat = "metahuman-train-set";
}

void save_train_set(const fs::path& path, const std::vector<int64_t>& ids) {
  const nlohmann::json j{{"format", kFormat}, {"version", 1}, {"ids", ids}};
  write_file_atomic(path, j.dump());
}

std::optional<std::vector<int64_t>> load_train_set(const fs::path& path) {
  if (!fs::exists(path)) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(read_file(path, 1ull << 30));
    if (j.at("format").get<std::string>() != kFormat || j.at("version").get<int>() != 1) {
      throw DatasetError(fmt::format("{}: not a training-set file of this version", path.string()));
    }
    return j.at("ids").get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception& e) {
    throw DatasetError(fmt::format("{}: malformed training-set file ({})", path.string(), e.what()));
  }
}

}  // namespace mh::agent
