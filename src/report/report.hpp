#pragma once
/// The session report: `<session>/report/index.html`, a static page that opens from disk with no
/// server and no network. Every song as a card (singer, kind, player, its mel spectrogram beside
/// the one of the song it answers, all on one dB range with a colour bar), per-agent latent maps
/// (the human corpus and every song's snippets as dots, each song's path a line), the measures
/// over dreams and the agents' training curves, drawn with Chart.js embedded in the page.
#include <filesystem>
#include <string>
#include <vector>

#include "report/mel_image.hpp"
#include "report/session_reader.hpp"

namespace mh::report {

struct ReportOptions {
  /// Redraw every mel image even when a PNG newer than its WAV exists.
  bool redraw_images = false;
  /// Seconds to spend drawing spectrograms (0: as long as it takes). A conversation stopped after
  /// a week has thousands never drawn; a service manager does not wait for them.
  double image_seconds = 0;
};

struct ReportSummary {
  std::filesystem::path index_html;
  int songs = 0;
  int images_drawn = 0;    ///< mel PNGs written by this call
  int images_kept = 0;     ///< mel PNGs already up to date
  int images_left = 0;     ///< mel PNGs not drawn within `image_seconds`
  bool session_finished = false;
  std::vector<std::string> warnings;  ///< problems with the session's files (the page lists them too)
};

/// Reads the session folder as it is now (a running or killed session gives a report of what
/// exists) and writes report/index.html, report/mel/NNNN.png and report/mel/levels.json atomically. Throws InputError
/// when `session_dir` is not a directory, IoError when the report cannot be written.
ReportSummary write_report(const std::filesystem::path& session_dir, const ReportOptions& options = {});

/// The page for an already-read session; `images` maps song number → image path relative to the
/// report folder (songs without one get none), all drawn on `range`; `extra_script` runs after
/// the report's own (the live page's). Pure: no file access.
std::string render_html(const SessionData& session, const std::vector<std::pair<int, std::string>>& images,
                        const DbRange& range = {}, const std::string& extra_script = {});

/// What the page's script draws (MH_DATA): plain data, no markup.
nlohmann::json page_data(const SessionData& session);

/// Text made safe for HTML element content and attribute values.
std::string html_escape(const std::string& text);
/// JSON made safe to embed in a <script> element.
std::string json_for_script(const nlohmann::json& value);

}  // namespace mh::report
