#include "cli/measures_table.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <vector>
#include <sstream>

#include "conversation/session_paths.hpp"
#include "core/files.hpp"

namespace mh::cli {

std::string measures_table(const std::filesystem::path& session) {
  const auto path = session / conversation::kMeasuresFile;
  if (!std::filesystem::exists(path)) return "(no dreams yet)\n";
  std::istringstream in(read_file(path));
  // human% is the share of what the agent trains on (it decides t*); all% counts its held-out
  // songs too, and reads nan for sessions from before it was logged.
  // FDk/FDk1 is the drift in the judge's k principal axes with its 90 % bootstrap interval
  // (docs/measures.md): a change counts when it leaves the interval.
  std::string out = fmt::format("{:<10} {:>5} {:>5} {:>7} {:>6} {:>7} {:>9} {:>8} {:>19} {:>8} {:>10} {:>8} {:>6} {:>8}\n",
                                "agent", "dream", "round", "human%", "all%", "depth", "Fréchet", "FD/FD1",
                                "FDk/FDk1 [90%]", "var", "forgetting", "imit dB", "imit×", "flatness");
  std::string line;
  int rows = 0;
  std::vector<std::string> agents;
  std::map<std::string, std::string> emancipation;  // agent → first dream below one half human
  std::map<std::string, double> last_human;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto m = nlohmann::json::parse(line, nullptr, false);
    if (m.is_discarded()) continue;
    auto num = [&](const char* k) { return m.contains(k) && m[k].is_number() ? m[k].get<double>() : std::nan(""); };
    const std::string drift = fmt::format("{:.2f} [{:.2f}, {:.2f}]", num("frechet_k_ratio"), num("frechet_k_ratio_low"),
                                          num("frechet_k_ratio_high"));
    out += fmt::format("{:<10} {:>5} {:>5} {:>7.1f} {:>6.1f} {:>7.2f} {:>9.3g} {:>8.2f} {:>19} {:>8.3f} {:>10.3f} {:>8.2f} "
                       "{:>6.2f} {:>8.3f}\n",
                       m.value("agent", "?"), m.value("dream", 0), m.value("round", 0),
                       100 * num("human_fraction"), 100 * num("human_fraction_dataset"), num("mean_depth"), num("frechet"),
                       num("frechet_ratio"), drift,
                       num("variance_ratio"), num("forgetting"), num("imitation_envelope_db"),
                       num("imitation_envelope_ratio"), num("spectral_flatness"));
    ++rows;
    const std::string agent = m.value("agent", "?");
    if (!last_human.count(agent)) agents.push_back(agent);
    last_human[agent] = num("human_fraction");
    // t* as the conversation recorded it: the round of the song that tipped the balance, and the
    // first dream that trained on more machine than human music.
    if (!emancipation.count(agent) && m.contains("t_star_dream") && m["t_star_dream"].is_number()) {
      emancipation[agent] = m["t_star_round"].is_number()
                                ? fmt::format("round {} (song {}), dream {}", m["t_star_round"].get<int>(),
                                              m["t_star_song"].get<int64_t>(), m["t_star_dream"].get<int>())
                                : fmt::format("dream {}", m["t_star_dream"].get<int>());
    }
  }
  if (!rows) return "(no dreams yet)\n";
  for (const auto& agent : agents) {
    out += emancipation.count(agent)
               ? fmt::format("{}: more machine than human music from {}\n", agent, emancipation[agent])
               : fmt::format("{}: still {:.1f}% human music\n", agent, 100 * last_human[agent]);
  }
  return out;
}

}  // namespace mh::cli
