#include "report/report.hpp"

#include <fmt/format.h>

#include <map>

#include "conversation/session_paths.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "report/assets.hpp"
#include "report/chain_section.hpp"
#include "report/page_text.hpp"
#include "report/song_cards.hpp"
#include "report/song_images.hpp"

namespace mh::report {
namespace fs = std::filesystem;
using nlohmann::json;

json page_data(const SessionData& s) {
  json songs = json::array();
  for (const auto& song : s.songs) {
    json j = {{"song", song.number}};
    for (const char* key : {"round", "turn", "singer", "listener", "kind", "parent", "sigma", "duration_s", "map"}) {
      if (song.info.contains(key)) j[key] = song.info[key];
    }
    songs.push_back(std::move(j));
  }
  json listens = json::array();
  json dreams = json::array();
  namespace ev = conversation::events;
  for (const auto& e : s.events) {
    if (ev::get_if<ev::Listen>(e)) listens.push_back(ev::to_json(e));
    if (ev::get_if<ev::DreamEnd>(e)) {
      // The measures are in the page's `measures` already (measures.jsonl).
      json d = ev::to_json(e);
      d.erase("measures");
      dreams.push_back(std::move(d));
    }
  }
  return {{"agents", s.agents},  {"songs", songs},           {"map", s.map},
          {"measures", s.measures}, {"histories", s.histories}, {"listens", listens},
          {"dreams", dreams}, {"chains", chains_data(s)}};
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const json& value) {
  // "</" could close the script element and "<!--" open a comment; "<\/" and "\u003c" mean the
  // same inside JSON strings, the only place '<' can appear.
  const auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

std::string render_html(const SessionData& s, const std::vector<std::pair<int, std::string>>& images,
                        const DbRange& range, const std::string& extra_script) {
  std::map<int, std::string> image_of(images.begin(), images.end());
  // A folder called "session" (the demo's) is named by the folder it is in: not "session session".
  // Absolute first: `report --session session` run beside it names no parent.
  const auto full = std::filesystem::absolute(s.dir).lexically_normal();
  auto dir = full.filename().empty() ? full.parent_path() : full;
  if (dir.filename() == "session" && !dir.parent_path().filename().empty()) dir = dir.parent_path();
  const auto name = dir.filename().string();
  std::string status;
  if (s.session_end) {
    status = fmt::format("finished after {} rounds", s.session_end->rounds_done);
  } else {
    status = "not finished (still running, or stopped early): this report shows what exists so far";
  }
  std::string facts;
  if (!s.agents.empty()) {
    std::string names;
    for (const auto& a : s.agents) names += (names.empty() ? "" : " and ") + html_escape(a);
    facts += fmt::format("<li>Agents: {}</li>", names);
  }
  if (s.session_start) {
    facts += fmt::format("<li>Rounds planned: {}, seed {}</li>", s.session_start->rounds, s.session_start->seed);
  }
  const auto songs = s.songs.size() + static_cast<std::size_t>(s.songs_left_out);
  facts += fmt::format("<li>Songs: {}</li><li id=\"status\" class=\"{}\">Session {}</li>", songs,
                       s.session_end ? "finished" : "unfinished", html_escape(status));
  for (const auto& note : s.notes) facts += "<li class=\"note\">" + html_escape(note) + "</li>";

  std::string warnings;
  if (!s.warnings.empty()) {
    warnings = "<section id=\"warnings\"><h2>Problems found in the session folder</h2><ul>";
    for (const auto& w : s.warnings) warnings += "<li>" + html_escape(w) + "</li>";
    warnings += "</ul></section>";
  }
  std::string settings;
  if (!s.settings_toml.empty()) {
    settings = "<details><summary>Session settings (session.toml)</summary><pre>" + html_escape(s.settings_toml) +
               "</pre></details>";
  }

  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += fmt::format("<title>Meta Human session {}</title>\n", html_escape(name));
  page += "<style>\n" + std::string(assets::report_css()) + "\n</style>\n</head>\n<body>\n";
  page += fmt::format("<header><h1>Meta Human — session {}</h1><ul class=\"facts\">{}</ul>{}</header>\n",
                      html_escape(name), facts, settings);
  page += "<nav><a href=\"#maps\">Latent maps</a> <a href=\"#timeline\">Songs</a> "
          "<a href=\"#measures\">Measures</a> <a href=\"#training\">Training</a>" +
          std::string(s.chains.empty() ? "" : " <a href=\"#chains\">Chains</a>") + "</nav>\n";
  page += warnings;
  page += "<section id=\"maps\"><h2>Latent maps</h2><p class=\"note\">How each agent hears: its fixed 2-D "
          "projection (PCA, fitted once on its generation-0 human corpus with its first ML1 and kept for the whole "
          "session) of the ML1 latents. Grey dots: that human corpus. Coloured dots: every song's snippets as this "
          "agent heard them, joined in order into the song's path, coloured by round (the first snippet larger). "
          "Point at a song card below, or click a path, to find one song.</p>"
          "<div id=\"map-charts\" class=\"charts\"></div></section>\n";
  page += songs_section(s, image_of, range);
  page += chains_section(s);
  page += "<section id=\"measures\"><h2>Measures over dreams</h2><p id=\"emancipation\" class=\"note\"></p>"
          "<div id=\"measure-charts\" class=\"charts\"></div></section>\n";
  page += "<section id=\"training\"><h2>Training loss</h2><div id=\"training-charts\" class=\"charts\"></div>"
          "</section>\n";
  page += "<pre id=\"selfcheck\" hidden></pre>\n";
  page += "<script>\n" + std::string(assets::chart_js()) + "\n</script>\n";
  page += "<script>\nconst MH_DATA = " + json_for_script(page_data(s)) + ";\n</script>\n";
  page += "<script>\n" + std::string(assets::report_js()) + "\n</script>\n";
  if (!extra_script.empty()) page += "<script>\n" + extra_script + "\n</script>\n";
  page += "</body>\n</html>\n";
  return page;
}

ReportSummary write_report(const fs::path& session_dir, const ReportOptions& options) {
  const auto session = read_session(session_dir);
  const auto report_dir = session_dir / conversation::kReportDir;
  const auto images = draw_song_images(session, report_dir, options.redraw_images, options.image_seconds);
  auto with_warnings = session;
  with_warnings.warnings.insert(with_warnings.warnings.end(), images.warnings.begin(), images.warnings.end());
  ReportSummary summary;
  summary.index_html = report_dir / "index.html";
  write_file_atomic(summary.index_html, render_html(with_warnings, images.paths, images.range));
  summary.songs = static_cast<int>(session.songs.size());
  summary.images_drawn = images.drawn;
  summary.images_kept = images.kept;
  summary.images_left = images.left;
  summary.session_finished = session.session_end.has_value();
  summary.warnings = std::move(with_warnings.warnings);
  return summary;
}

}  // namespace mh::report
