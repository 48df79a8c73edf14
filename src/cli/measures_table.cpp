#include "cli/measures_table.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

#include "core/files.hpp"

namespace mh::cli {

std::string measures_table(const std::filesystem::path& session) {
  const auto path = session / "measures.jsonl";
  if (!std::filesystem::exists(path)) return "(no dreams yet)\n";
  std::istringstream in(read_file(path));
  std::string out = fmt::format("{:<10} {:>5} {:>5} {:>7} {:>7} {:>9} {:>8} {:>8} {:>10} {:>9} {:>8}\n", "agent",
                                "dream", "round", "human%", "depth", "Fréchet", "FD/FD1", "var", "forgetting",
                                "fidelity", "flatness");
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto m = nlohmann::json::parse(line, nullptr, false);
    if (m.is_discarded()) continue;
    auto num = [&](const char* k) { return m.contains(k) && m[k].is_number() ? m[k].get<double>() : std::nan(""); };
    out += fmt::format("{:<10} {:>5} {:>5} {:>7.1f} {:>7.2f} {:>9.3g} {:>8.2f} {:>8.3f} {:>10.3f} {:>9.1f} {:>8.3f}\n",
                       m.value("agent", "?"), m.value("dream", 0), m.value("round", 0) + 1,
                       100 * num("human_fraction"), num("mean_depth"), num("frechet"), num("frechet_ratio"),
                       num("variance_ratio"), num("forgetting"), num("imitation_fidelity_db"),
                       num("spectral_flatness"));
    ++rows;
  }
  return rows ? out : "(no dreams yet)\n";
}

}  // namespace mh::cli
