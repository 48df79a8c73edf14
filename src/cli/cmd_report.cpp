#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "report/report.hpp"

namespace mh::cli {
namespace {

struct ReportOptions {
  std::string session;
  bool redraw = false;
  double image_seconds = 0;
};

void run_report(const ReportOptions& o) {
  report::ReportOptions options;
  options.redraw_images = o.redraw;
  options.image_seconds = o.image_seconds;
  const auto summary = report::write_report(o.session, options);
  for (const auto& w : summary.warnings) fmt::print(stderr, "warning: {}\n", w);
  fmt::print("{}: {} songs ({} spectrograms drawn, {} kept{}), session {}\n", summary.index_html.string(),
             summary.songs, summary.images_drawn, summary.images_kept,
             summary.images_left > 0 ? fmt::format(", {} left for lack of time", summary.images_left) : std::string(),
             summary.session_finished ? "finished" : "not finished");
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto [cmd, opts] = add_command(
      app, "report", "Write a conversation session's report: DIR/report/index.html, a static page that opens from disk",
      run_report);
  cmd->add_option("--session", opts->session, "Session folder written by `converse`")->required();
  cmd->add_flag("--redraw", opts->redraw, "Redraw every mel spectrogram image, even those already up to date");
  cmd->add_option("--image-seconds", opts->image_seconds,
                  "Stop drawing spectrograms after this many seconds, newest songs first (0: draw them all)")
      ->check(CLI::Range(0.0, 1e9));
}

}  // namespace mh::cli
