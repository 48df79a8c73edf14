#include "report/song_cards.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dsp/mel.hpp"
#include "report/colour_map.hpp"
#include "report/page_text.hpp"
#include "report/report.hpp"

namespace mh::report {
using nlohmann::json;

namespace {

std::string kind_label(const std::string& kind) {
  if (kind == "human") return "human excerpt";
  return kind.empty() ? "?" : kind;
}

double duration_of(const SongEntry& song) {
  const auto& info = song.info;
  return info.contains("duration_s") && info["duration_s"].is_number() ? info["duration_s"].get<double>() : NAN;
}

std::string minutes_seconds(double s) {
  if (!std::isfinite(s)) return "";
  return fmt::format("{}:{:04.1f}", static_cast<int>(s) / 60, std::fmod(s, 60.0));
}

/// Width of a song's picture as a share of its box: one time scale for every song of the page.
std::string width_style(const SongEntry& song, double longest_s) {
  const double d = duration_of(song);
  if (!std::isfinite(d) || !(longest_s > 0)) return "";
  return fmt::format(" style=\"width: {:.1f}%\"", std::clamp(100.0 * d / longest_s, 1.0, 100.0));
}

/// Labels at the heights of a few frequencies: the mel scale squeezes the highs, which a person
/// reading the picture must know to place a note.
std::string frequency_axis(const SongEntry& song) {
  const int rate = song.info.contains("sample_rate_hz") && song.info["sample_rate_hz"].is_number_integer()
                       ? song.info["sample_rate_hz"].get<int>()
                       : 44100;
  const double fmax = std::min(16000.0, rate / 2.0);
  const double top = dsp::hz_to_mel(fmax, dsp::MelScale::kSlaney);
  std::string labels;
  for (const double hz : {500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0}) {
    if (hz > fmax) break;
    labels += fmt::format("<span style=\"bottom: {:.1f}%\">{}</span>", 100.0 * dsp::hz_to_mel(hz, dsp::MelScale::kSlaney) / top,
                          hz >= 1000 ? fmt::format("{:g}k", hz / 1000) : fmt::format("{:g}", hz));
  }
  return "<div class=\"freq-axis\" aria-hidden=\"true\">" + labels + "</div>";
}

std::string colour_bar(const DbRange& range) {
  std::string ticks;
  for (int db = static_cast<int>(range.range_db) / 20 * 20; db >= 0; db -= 20) {
    ticks += fmt::format("<span style=\"left: {:.1f}%\">{}</span>", 100.0 * (range.range_db - db) / range.range_db,
                         db == 0 ? "0 dB" : fmt::format("−{}", db));
  }
  return fmt::format(
      "<div class=\"mel-legend\"><div class=\"mel-scale\"><div id=\"mel-colourbar\" class=\"colourbar\" "
      "style=\"background: {}\"></div><div class=\"ticks\">{}</div></div>"
      "<p class=\"note\">Spectrogram colours: level in dB below the loudest moment of the whole session, the same "
      "{:g} dB range in every picture, so black is silence (or anything {:g} dB down), a note is a bright line and "
      "noise a bright smear. Low frequencies at the bottom (mel scale up to 16 kHz); time runs left to right at one "
      "scale for every song. On the left of each song, smaller: the song it answers.</p></div>\n",
      magma_css_gradient(), ticks, range.range_db, range.range_db);
}

/// How the song matches what it answers, as the listener measured it (docs/notes.md): the notes
/// (pitch agreement, chroma, onsets) beside the colour (envelope distance), since colour alone once
/// hid that the notes were gone.
std::string listening_facts(const json& info) {
  if (!info.contains("listening") || !info["listening"].is_object()) return {};
  const auto& l = info["listening"];
  const auto number = [&](const char* key) { return l.contains(key) && l[key].is_number() ? l[key].get<double>() : NAN; };
  std::string out;
  if (const double p = number("pitch_agreement"); std::isfinite(p)) out += fmt::format(" · pitch classes {:.0f} %", 100 * p);
  if (const double c = number("chroma_similarity"); std::isfinite(c)) out += fmt::format(" · chroma {:.2f}", c);
  if (const double o = number("onset_correlation"); std::isfinite(o)) out += fmt::format(" · onsets r {:.2f}", o);
  if (const double e = number("envelope_db"); std::isfinite(e)) out += fmt::format(" · envelope {:.1f} dB", e);
  if (out.empty()) return {};
  return "<span class=\"listening\" title=\"measured against the song it answers (docs/notes.md)\">against what it "
         "answers: " + out.substr(3) + "</span>";
}

std::string picture(const std::map<int, std::string>& images, const SongEntry& song, const char* cls,
                    const std::string& style) {
  const auto it = images.find(song.number);
  if (it == images.end()) return "<span class=\"missing\">no spectrogram</span>";
  return fmt::format("<img class=\"{}\" src=\"{}\" alt=\"mel spectrogram of song {}\"{}>", cls,
                     html_escape(url_path(it->second)), song.number, style);
}

std::string heard_figure(const SongEntry& song, const SongEntry* parent, const std::map<int, std::string>& images,
                         double longest_s) {
  if (parent == nullptr && song.info.contains("parent") && song.info["parent"].is_number_integer()) {
    return fmt::format("<figure class=\"heard none\"><div class=\"placeholder\">answers song {}, older than the "
                       "songs shown here</div></figure>",
                       song.info["parent"].get<int>());
  }
  if (parent == nullptr) {
    const bool human = str_of(song.info, "kind") == "human";
    return fmt::format("<figure class=\"heard none\"><div class=\"placeholder\">{}</div></figure>",
                       human ? "from the human corpus: answers no song" : "answers no song");
  }
  return fmt::format(
      "<figure class=\"heard\"><a href=\"#song-{0}\" title=\"song {0}\">{1}</a><figcaption>answers song {0}: "
      "{2}, {3}</figcaption></figure>",
      parent->number, picture(images, *parent, "mel-thumb", width_style(*parent, longest_s)),
      html_escape(str_of(parent->info, "singer", "?")), html_escape(kind_label(str_of(parent->info, "kind"))));
}

std::string song_card(const SongEntry& song, const SongEntry* parent, const std::map<int, std::string>& images,
                      double longest_s) {
  const auto& info = song.info;
  const auto kind = str_of(info, "kind");
  std::string facts;
  if (info.contains("round")) facts += fmt::format("<span>round {}", html_escape(str_of(info, "round")));
  if (info.contains("turn")) facts += fmt::format(" · turn {}", html_escape(str_of(info, "turn")));
  if (info.contains("round")) facts += "</span>";
  if (info.contains("parent") && info["parent"].is_number_integer()) {
    facts += fmt::format("<span>answers <a href=\"#song-{0}\">{0}</a></span>", info["parent"].get<int>());
  }
  if (info.contains("sigma") && info["sigma"].is_number() && info["sigma"].get<double>() != 0) {
    facts += fmt::format("<span>variation σ {:g}</span>", info["sigma"].get<double>());
  }
  if (const auto length = minutes_seconds(duration_of(song)); !length.empty()) facts += "<span>" + length + "</span>";
  std::string audio = song.pruned ? "<span class=\"note\">audio removed by the songs cap</span>"
                                   : "<span class=\"missing\">no audio file</span>";
  if (!song.wav.empty()) {
    audio = fmt::format("<audio controls preload=\"metadata\" src=\"../{}\"></audio>", html_escape(url_path(song.wav)));
  }
  std::string detail = html_escape(str_of(info, "line"));
  if (info.contains("source") && info["source"].is_object()) {
    const auto& src = info["source"];
    detail += fmt::format(" <span class=\"source\">from “{}”", html_escape(str_of(src, "title", str_of(src, "song"))));
    if (src.contains("from_s") && src.contains("to_s")) {
      detail += fmt::format(", {}–{} s", html_escape(str_of(src, "from_s")), html_escape(str_of(src, "to_s")));
    }
    detail += "</span>";
  }
  if (const auto heard = listening_facts(info); !heard.empty()) detail += " " + heard;
  if (!song.has_event) detail += " <span class=\"missing\">no event logged (the session stopped here)</span>";
  const auto listener = str_of(info, "listener");
  return fmt::format(
      "<article id=\"song-{0}\" class=\"song kind-{1}\" data-song=\"{0}\">"
      "<div class=\"song-head\"><span class=\"num\">{0}</span><span class=\"who\"><span class=\"singer\">{2}</span>{3}"
      "</span><span class=\"kind\">{4}</span><span class=\"song-facts\">{5}</span>{6}</div>"
      "<div class=\"pictures\">{7}<figure class=\"sung\">{8}<div class=\"mel-box\">{9}</div></figure></div>"
      "<div class=\"line\">{10}</div></article>\n",
      song.number, html_escape(kind.empty() ? "unknown" : kind), html_escape(str_of(info, "singer", "?")),
      listener.empty() ? "" : " → " + html_escape(listener), html_escape(kind_label(kind)), facts, audio,
      heard_figure(song, parent, images, longest_s), frequency_axis(song),
      picture(images, song, "mel", width_style(song, longest_s)), detail);
}

}  // namespace

std::string songs_section(const SessionData& s, const std::map<int, std::string>& images, const DbRange& range) {
  std::map<int, const SongEntry*> by_number;
  double longest_s = 0;
  for (const auto& song : s.songs) {
    by_number[song.number] = &song;
    if (const double d = duration_of(song); std::isfinite(d)) longest_s = std::max(longest_s, d);
  }
  std::string out = "<section id=\"timeline\"><h2>Songs</h2>\n";
  if (s.songs.empty()) return out + "<p class=\"empty\">No song has been sung yet.</p></section>\n";
  if (!images.empty()) out += colour_bar(range);
  if (s.songs_left_out > 0) {
    out += fmt::format("<p class=\"note\">The newest {} songs; {} older ones are in the session's songs folder and "
                       "in its report (<code>metahuman report</code>).</p>\n",
                       s.songs.size(), s.songs_left_out);
  }
  out += "<div class=\"songs\">\n";
  for (const auto& song : s.songs) {
    const SongEntry* parent = nullptr;
    if (song.info.contains("parent") && song.info["parent"].is_number_integer()) {
      const auto it = by_number.find(song.info["parent"].get<int>());
      if (it != by_number.end()) parent = it->second;
    }
    out += song_card(song, parent, images, longest_s);
  }
  return out + "</div></section>\n";
}

}  // namespace mh::report
