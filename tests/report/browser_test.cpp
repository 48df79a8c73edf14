// The report in a real browser: headless Chromium opens it from file:// and the page's own
// self-check (report.js writes it into #selfcheck) says what was drawn and loaded. Skipped when
// Chromium is absent (scripts/setup.sh test installs it).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "core/files.hpp"
#include "report/fake_session.hpp"
#include "report/report.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

fs::path chromium_path() {
  if (const char* env = std::getenv("METAHUMAN_CHROMIUM")) return env;
  return "/usr/bin/chromium";
}

std::string chromium_command(const test::TempDir& dir, const std::string& what) {
  // --no-sandbox: tests may run as root; a fresh profile keeps runs independent.
  return "timeout 120 " + chromium_path().string() +
         " --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --mute-audio"
         " --user-data-dir=" + (dir / "profile").string() +
         " --enable-logging=stderr --v=0 --virtual-time-budget=20000 --window-size=1400,2400 --hide-scrollbars " + what +
         " file://" + (dir / "report/index.html").string();
}

std::string unescape_html(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}, {"&amp;", "&"}}) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  }
  return s;
}

class ReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(chromium_path())) GTEST_SKIP() << chromium_path() << " absent (Debian package chromium)";
    test::make_fake_session(dir_.path(), /*finished=*/true);
    report::write_report(dir_.path());
  }
  test::TempDir dir_;
};

TEST_F(ReportInBrowser, LoadsFromDiskWithNoConsoleErrorsAndDrawsMapsChartsAndAudio) {
  const auto r = test::run_command(chromium_command(dir_, "--dump-dom"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto open = r.output.find("<pre id=\"selfcheck\"");
  ASSERT_NE(open, std::string::npos) << r.output;
  const auto start = r.output.find('>', open) + 1;
  const auto end = r.output.find("</pre>", start);
  ASSERT_NE(end, std::string::npos);
  const auto text = unescape_html(r.output.substr(start, end - start));
  const auto check = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(check.is_discarded()) << "self-check did not finish: '" << text << "'\n" << r.output;

  EXPECT_EQ(check["errors"].size(), 0u) << check.dump(2);
  EXPECT_EQ(check["maps"], 2) << check.dump(2);
  EXPECT_EQ(check["trainingCharts"], 1) << check.dump(2);
  // 2 maps, human fraction, Fréchet, variance, forgetting, flatness, the other measures, 1 training chart.
  EXPECT_GE(check["charts"].get<int>(), 8) << check.dump(2);
  EXPECT_EQ(check["canvases_drawn"], check["charts"]) << check.dump(2);
  EXPECT_EQ(check["images_loaded"], 3) << check.dump(2);
  ASSERT_EQ(check["audio"].size(), 3u) << check.dump(2);
  for (const auto& a : check["audio"]) {
    EXPECT_TRUE(a["duration"].is_number() && a["duration"].get<double>() > 0.5) << a.dump();
    EXPECT_TRUE(a["error"].is_null()) << a.dump();
  }
  // The page logs nothing; any console line is an error or a warning from the page.
  std::string console;
  std::size_t from = 0;
  for (auto at = r.output.find(":CONSOLE", from); at != std::string::npos; at = r.output.find(":CONSOLE", from)) {
    const auto line_end = r.output.find('\n', at);
    console += r.output.substr(at, line_end - at) + "\n";
    from = line_end == std::string::npos ? r.output.size() : line_end;
  }
  EXPECT_EQ(console, "");
}

TEST_F(ReportInBrowser, TakesAScreenshot) {
  const auto shot = dir_ / "report.png";
  const auto r = test::run_command(chromium_command(dir_, "--screenshot=" + shot.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(shot)) << r.output;
  const auto png = read_file(shot);
  EXPECT_EQ(png.compare(0, 4, "\x89PNG"), 0);
  EXPECT_GT(png.size(), 50000u);  // a blank page of this size compresses to a few kB
  if (const char* keep = std::getenv("METAHUMAN_KEEP_SCREENSHOT")) fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace mh
