#include "cli/new_agent_folder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "core/errors.hpp"

namespace mh::cli {
namespace fs = std::filesystem;

void require_existing(const std::vector<fs::path>& paths, const char* what) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) throw InputError(fmt::format("{}: {}", p.string(), what));
  }
}

void require_free_agent_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (fs::exists(dir / "agent.toml", ec)) {
    throw InputError(fmt::format("{}: already an agent: use `metahuman ingest` and `metahuman train` to extend it",
                                 dir.string()));
  }
  if (!fs::is_directory(dir, ec)) throw InputError(fmt::format("{}: is a file, not a folder for an agent", dir.string()));
  if (!fs::is_empty(dir, ec)) {
    throw InputError(fmt::format("{}: the folder is not empty and holds no agent: give a new folder", dir.string()));
  }
}

void require_audio_taken(const corpus::IngestReport& report, const std::vector<fs::path>& inputs) {
  if (report.snippets_added() > 0) return;
  std::vector<std::string> names;
  for (const auto& p : inputs) names.push_back(p.string());
  std::string why = "nothing was taken";
  for (const auto& f : report.files) {
    if (f.status == corpus::FileStatus::kTaken) continue;
    const auto name = f.path.filename().string();
    if (std::find(inputs.begin(), inputs.end(), f.path) != inputs.end()) {
      why = f.reason;  // about the folder or file given
    } else if (report.refused() == 1) {
      why = fmt::format("{}: {}", name, f.reason);
    } else {
      why = fmt::format("{} files refused, the first, {}: {}", report.refused(), name, f.reason);
    }
    break;
  }
  throw InputError(fmt::format("{}: no audio to learn from ({})", fmt::join(names, " "), why));
}

agent::Agent make_agent(const fs::path& dir, const agent::AgentSettings& settings,
                        const std::function<void(agent::Agent&)>& fill) {
  require_free_agent_folder(dir);
  const fs::path target = dir.has_filename() ? dir : dir.parent_path();
  const fs::path making = target.parent_path() / ("." + target.filename().string() + ".making");
  // The highest folder this call makes: Agent::create makes missing parents too.
  fs::path first_missing = making;
  for (auto p = making.parent_path(); !p.empty() && !fs::exists(p); p = p.parent_path()) first_missing = p;
  std::error_code ec;
  // Left by a killed run of this command: it never became an agent.
  fs::remove_all(making, ec);
  try {
    auto a = agent::Agent::create(making, settings);
    fill(a);
  } catch (...) {
    fs::remove_all(first_missing, ec);
    throw;
  }
  if (fs::exists(target, ec)) fs::remove(target, ec);  // an empty folder (require_free_agent_folder)
  std::error_code renamed;
  fs::rename(making, target, renamed);
  if (renamed) {
    fs::remove_all(making, ec);
    throw IoError(fmt::format("{}: could not be made: {}", target.string(), renamed.message()));
  }
  return agent::Agent::open(target);
}

}  // namespace mh::cli
