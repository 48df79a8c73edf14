#include "report/report.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "report/assets.hpp"
#include "report/mel_image.hpp"

namespace mh::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string str_of(const json& j, const char* key, const std::string& fallback = {}) {
  if (!j.contains(key)) return fallback;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return fallback;
  return v.dump();
}

/// Percent-encodes a relative path for a URL, keeping '/' between its parts.
std::string url_path(const std::string& path) {
  std::string out;
  for (const unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string kind_label(const std::string& kind) {
  if (kind == "human") return "human excerpt";
  return kind.empty() ? "?" : kind;
}

std::string format_seconds(const json& info) {
  if (!info.contains("duration_s") || !info["duration_s"].is_number()) return "";
  const double s = info["duration_s"].get<double>();
  return fmt::format("{}:{:04.1f}", static_cast<int>(s) / 60, std::fmod(s, 60.0));
}

std::string song_row(const SongEntry& song, const std::string& image) {
  const auto& info = song.info;
  const auto kind = str_of(info, "kind");
  std::string parent = "—";
  if (info.contains("parent") && info["parent"].is_number_integer()) {
    const int p = info["parent"].get<int>();
    parent = fmt::format("<a href=\"#song-{0}\">{0}</a>", p);
  }
  std::string sigma;
  if (info.contains("sigma") && info["sigma"].is_number()) sigma = fmt::format("σ {:g}", info["sigma"].get<double>());
  std::string position = "";
  if (info.contains("round")) position = fmt::format("round {}", str_of(info, "round"));
  if (info.contains("turn")) position += fmt::format(" · turn {}", str_of(info, "turn"));
  std::string audio = "<span class=\"missing\">no audio file</span>";
  if (!song.wav.empty()) {
    audio = fmt::format("<audio controls preload=\"metadata\" src=\"../{}\"></audio>", html_escape(url_path(song.wav)));
  }
  std::string picture = "<span class=\"missing\">no spectrogram</span>";
  if (!image.empty()) {
    picture = fmt::format("<img class=\"mel\" src=\"{}\" alt=\"mel spectrogram of song {}\">",
                          html_escape(url_path(image)), song.number);
  }
  std::string detail = html_escape(str_of(info, "line"));
  if (info.contains("source") && info["source"].is_object()) {
    const auto& src = info["source"];
    detail += fmt::format("<div class=\"source\">from “{}”", html_escape(str_of(src, "title", str_of(src, "song"))));
    if (src.contains("from_s") && src.contains("to_s")) {
      detail += fmt::format(", {}–{} s", html_escape(str_of(src, "from_s")), html_escape(str_of(src, "to_s")));
    }
    detail += "</div>";
  }
  if (!song.has_event) detail += "<div class=\"missing\">no event logged (the session stopped here)</div>";
  const auto singer = str_of(info, "singer", "?");
  const auto listener = str_of(info, "listener");
  return fmt::format(
      "<tr id=\"song-{0}\" class=\"song kind-{1}\" data-song=\"{0}\">"
      "<td class=\"num\">{0}</td><td>{2}</td><td><span class=\"singer\">{3}</span>{4}</td>"
      "<td><span class=\"kind\">{5}</span></td><td class=\"num\">{6}</td><td>{7}</td><td>{8}</td>"
      "<td>{9}</td><td class=\"mel-cell\">{10}</td><td class=\"line\">{11}</td></tr>\n",
      song.number, html_escape(kind.empty() ? "unknown" : kind), html_escape(position), html_escape(singer),
      listener.empty() ? "" : " → " + html_escape(listener), html_escape(kind_label(kind)), parent,
      html_escape(sigma), format_seconds(info), audio, picture, detail);
}

/// What the page's script draws: plain data, no markup.
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
  for (const auto& e : s.events) {
    const auto type = str_of(e, "type");
    if (type == "listen") listens.push_back(e);
    if (type == "dream_end") {
      json d = e;
      d.erase("measures");
      dreams.push_back(std::move(d));
    }
  }
  return {{"agents", s.agents},  {"songs", songs},           {"map", s.map},
          {"measures", s.measures}, {"histories", s.histories}, {"listens", listens},
          {"dreams", dreams}};
}

}  // namespace

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

std::string render_html(const SessionData& s, const std::vector<std::pair<int, std::string>>& images) {
  std::map<int, std::string> image_of(images.begin(), images.end());
  // A folder called "session" (the demo's) is named by the folder it is in: not "session session".
  auto dir = s.dir.filename().empty() ? s.dir.parent_path() : s.dir;
  if (dir.filename() == "session" && !dir.parent_path().filename().empty()) dir = dir.parent_path();
  const auto name = dir.filename().string();
  std::string status;
  if (s.session_end) {
    status = fmt::format("finished after {} rounds", str_of(*s.session_end, "rounds_done", "?"));
  } else {
    status = "not finished (still running, or stopped early): this report shows what exists so far";
  }
  std::string facts;
  if (!s.agents.empty()) {
    std::string names;
    for (const auto& a : s.agents) names += (names.empty() ? "" : " and ") + html_escape(a);
    facts += fmt::format("<li>Agents: {}</li>", names);
  }
  if (s.session_start.is_object()) {
    facts += fmt::format("<li>Rounds planned: {}, seed {}</li>", html_escape(str_of(s.session_start, "rounds", "?")),
                         html_escape(str_of(s.session_start, "seed", "?")));
  }
  facts += fmt::format("<li>Songs: {}</li><li id=\"status\" class=\"{}\">Session {}</li>", s.songs.size(),
                       s.session_end ? "finished" : "unfinished", html_escape(status));

  std::string rows;
  for (const auto& song : s.songs) {
    auto it = image_of.find(song.number);
    rows += song_row(song, it == image_of.end() ? std::string() : it->second);
  }
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
  page += "<nav><a href=\"#timeline\">Songs</a> <a href=\"#maps\">Latent maps</a> "
          "<a href=\"#measures\">Measures</a> <a href=\"#training\">Training</a></nav>\n";
  page += warnings;
  page += "<section id=\"timeline\"><h2>Songs</h2>\n";
  if (s.songs.empty()) page += "<p class=\"empty\">No song has been sung yet.</p>\n";
  page += "<table class=\"songs\"><thead><tr><th>#</th><th>when</th><th>singer → listener</th><th>kind</th>"
          "<th>parent</th><th>variation</th><th>length</th><th>listen</th><th>mel spectrogram</th>"
          "<th>said / source</th></tr></thead>\n<tbody>\n" +
          rows + "</tbody></table></section>\n";
  page += "<section id=\"maps\"><h2>Latent maps</h2><p class=\"note\">Each agent's fixed 2-D projection of ML1 "
          "latents (fitted once on its generation-0 human material): the human reference cloud in grey, every "
          "song's snippets as that agent heard them joined in order, coloured by round.</p>"
          "<div id=\"map-charts\" class=\"charts\"></div></section>\n";
  page += "<section id=\"measures\"><h2>Measures over dreams</h2><p id=\"emancipation\" class=\"note\"></p>"
          "<div id=\"measure-charts\" class=\"charts\"></div></section>\n";
  page += "<section id=\"training\"><h2>Training loss</h2><div id=\"training-charts\" class=\"charts\"></div>"
          "</section>\n";
  page += "<pre id=\"selfcheck\" hidden></pre>\n";
  page += "<script>\n" + std::string(assets::chart_js()) + "\n</script>\n";
  page += "<script>\nconst MH_DATA = " + json_for_script(page_data(s)) + ";\n</script>\n";
  page += "<script>\n" + std::string(assets::report_js()) + "\n</script>\n";
  page += "</body>\n</html>\n";
  return page;
}

ReportSummary write_report(const fs::path& session_dir, const ReportOptions& options) {
  const auto session = read_session(session_dir);
  ReportSummary summary;
  const auto report_dir = session_dir / "report";
  const auto mel_dir = report_dir / "mel";
  std::error_code ec;
  fs::create_directories(mel_dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create: {}", mel_dir.string(), ec.message()));

  std::vector<std::pair<int, std::string>> images;
  auto warnings = session.warnings;
  for (const auto& song : session.songs) {
    if (song.wav.empty()) continue;
    const auto wav = session_dir / song.wav;
    const auto relative = fmt::format("mel/{:04d}.png", song.number);
    const auto png = report_dir / relative;
    const auto wav_time = fs::last_write_time(wav, ec);
    const bool fresh = !options.redraw_images && fs::is_regular_file(png, ec) && !ec &&
                       fs::last_write_time(png, ec) >= wav_time;
    if (fresh) {
      ++summary.images_kept;
      images.emplace_back(song.number, relative);
      continue;
    }
    try {
      write_file_atomic(png, mel_png_of_audio(wav));
      ++summary.images_drawn;
      images.emplace_back(song.number, relative);
    } catch (const InputError& e) {
      // A WAV being written right now or damaged: the song stays listed without a picture.
      warnings.push_back(fmt::format("song {}: no spectrogram: {}", song.number, e.what()));
    }
  }
  auto with_warnings = session;
  with_warnings.warnings = warnings;
  summary.index_html = report_dir / "index.html";
  write_file_atomic(summary.index_html, render_html(with_warnings, images));
  summary.songs = static_cast<int>(session.songs.size());
  summary.session_finished = session.session_end.has_value();
  summary.warnings = std::move(warnings);
  return summary;
}

}  // namespace mh::report
