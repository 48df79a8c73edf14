#include "report/chain_section.hpp"

#include <fmt/format.h>

#include <cmath>

#include "report/page_text.hpp"
#include "report/report.hpp"

namespace mh::report {
using nlohmann::json;

namespace {

std::string share(const json& figures) {
  if (!figures.is_object() || !figures.contains("pitch_agreement") || !figures["pitch_agreement"].is_number()) {
    return "–";
  }
  return fmt::format("{:.0f} %", 100 * figures["pitch_agreement"].get<double>());
}

std::string chain_block(const json& chain) {
  const auto name = str_of(chain, "name");
  std::string agents;
  if (chain.contains("agents") && chain["agents"].is_array()) {
    for (const auto& a : chain["agents"]) agents += (agents.empty() ? "" : " and ") + html_escape(a.is_string() ? a.get<std::string>() : a.dump());
  }
  const auto half = chain.contains("half_pass") && chain["half_pass"].is_number_integer()
                        ? fmt::format("the pitch agreement with the excerpt fell to half of the first pass's at pass {}",
                                      chain["half_pass"].get<int>())
                        : std::string("the pitch agreement with the excerpt never fell to half of the first pass's");
  std::string passes;
  for (const auto& p : chain["passes"]) {
    if (!p.is_object()) continue;
    const auto wav = str_of(p, "wav");
    // Only a plain file name inside the chain's folder: the page never points outside the session.
    const bool plain = !wav.empty() && wav.find('/') == std::string::npos && wav.find('\\') == std::string::npos &&
                       wav != "." && wav != "..";
    const auto player = plain ? fmt::format("<audio controls preload=\"none\" src=\"../chains/{}/{}\"></audio>",
                                            html_escape(url_path(name)), html_escape(url_path(wav)))
                              : std::string("<span class=\"missing\">no audio file</span>");
    passes += fmt::format("<li><span class=\"num\">{}</span> {} <span class=\"song-facts\">excerpt {} · pass before "
                          "{}</span> {}</li>",
                          html_escape(str_of(p, "pass")), html_escape(str_of(p, "singer", "?")),
                          share(p.value("original", json())), share(p.value("previous", json())), player);
  }
  return fmt::format(
      "<div class=\"chain\" id=\"chain-{0}\"><h3>{0}: {1} from “{2}”</h3><p class=\"note\">{3}.</p>"
      "<div class=\"charts\" id=\"chain-chart-{0}\"></div><details><summary>Every pass</summary><ol class=\"passes\">"
      "{4}</ol></details></div>\n",
      html_escape(name), agents, html_escape(str_of(chain, "excerpt")), half, passes);
}

}  // namespace

json chains_data(const SessionData& s) {
  json out = json::array();
  for (const auto& chain : s.chains) {
    json passes = json::array();
    for (const auto& p : chain["passes"]) {
      if (!p.is_object()) continue;
      passes.push_back({{"pass", p.value("pass", json())},
                        {"singer", p.value("singer", json())},
                        {"original", p.value("original", json())},
                        {"previous", p.value("previous", json())}});
    }
    out.push_back({{"name", chain.value("name", json())},
                   {"agents", chain.value("agents", json())},
                   {"half_pass", chain.value("half_pass", json())},
                   {"passes", passes}});
  }
  return out;
}

std::string chains_section(const SessionData& s) {
  if (s.chains.empty()) return {};
  std::string out =
      "<section id=\"chains\"><h2>Imitation chains</h2><p class=\"note\">Two agents imitate each other in turn (σ = "
      "0) from one human excerpt, as in the artwork: A imitates the excerpt, B imitates A, and so on. The curves: "
      "the share of frames whose strongest pitch class matches the excerpt (solid) and the pass before (dashed), "
      "and the chroma similarity with the excerpt (dotted; docs/notes.md). The music fades as the solid line "
      "falls; the dashed line says how much each single pass keeps.</p>\n";
  for (const auto& chain : s.chains) out += chain_block(chain);
  return out + "</section>\n";
}

}  // namespace mh::report
