// The report in a real browser: headless Chromium opens it from file:// and the page's own
// self-check (report.js writes it into #selfcheck) says what was drawn and loaded. Skipped when
// Chromium is absent (scripts/setup.sh test installs it).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>

#include "core/files.hpp"
#include "report/fake_session.hpp"
#include "report/report.hpp"
#include "report/sound_session.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

fs::path chromium_path() {
  if (const char* env = std::getenv("METAHUMAN_CHROMIUM")) return env;
  return "/usr/bin/chromium";
}

std::string chromium_command(const fs::path& dir, const std::string& what) {
  // --no-sandbox: tests may run as root; a fresh profile keeps runs independent. File pages may
  // read each other (--allow-file-access-from-files) so that the page can measure its own images.
  return "timeout 120 " + chromium_path().string() +
         " --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --mute-audio"
         " --allow-file-access-from-files --disable-background-networking --disable-component-update --disable-sync"
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

/// Opens the report of `dir` and returns the page's self-check (report.js), failing the test when
/// the page did not finish it.
nlohmann::json self_check(const fs::path& dir, std::string* output = nullptr) {
  const auto r = test::run_command(chromium_command(dir, "--dump-dom"));
  if (output) *output = r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto open = r.output.find("<pre id=\"selfcheck\"");
  if (open == std::string::npos) {
    ADD_FAILURE() << "no self-check in the page: " << r.output;
    return nullptr;
  }
  const auto start = r.output.find('>', open) + 1;
  const auto end = r.output.find("</pre>", start);
  const auto text = unescape_html(r.output.substr(start, end - start));
  const auto check = nlohmann::json::parse(text, nullptr, false);
  if (check.is_discarded()) ADD_FAILURE() << "self-check did not finish: '" << text << "'\n" << r.output;
  return check.is_discarded() ? nlohmann::json(nullptr) : check;
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
  std::string output;
  const auto check = self_check(dir_.path(), &output);
  ASSERT_TRUE(check.is_object());
  EXPECT_EQ(check["errors"].size(), 0u) << check.dump(2);
  EXPECT_EQ(check["maps"], 2) << check.dump(2);
  EXPECT_EQ(check["trainingCharts"], 1) << check.dump(2);
  // 2 maps, human fraction, Fréchet, variance, forgetting, flatness, the other measures, 1 training chart.
  EXPECT_GE(check["charts"].get<int>(), 8) << check.dump(2);
  EXPECT_EQ(check["canvases_drawn"], check["charts"]) << check.dump(2);
  EXPECT_EQ(check["images_loaded"], 3) << check.dump(2);
  EXPECT_EQ(check["thumbnails_loaded"], 2) << check.dump(2);  // songs 1 and 2 answer songs 0 and 1
  EXPECT_EQ(check["colour_bar"], true) << check.dump(2);
  ASSERT_EQ(check["audio"].size(), 3u) << check.dump(2);
  for (const auto& a : check["audio"]) {
    EXPECT_TRUE(a["duration"].is_number() && a["duration"].get<double>() > 0.5) << a.dump();
    EXPECT_TRUE(a["error"].is_null()) << a.dump();
  }
  // The page logs nothing; any console line is an error or a warning from the page.
  std::string console;
  std::size_t from = 0;
  for (auto at = output.find(":CONSOLE", from); at != std::string::npos; at = output.find(":CONSOLE", from)) {
    const auto line_end = output.find('\n', at);
    console += output.substr(at, line_end - at) + "\n";
    from = line_end == std::string::npos ? output.size() : line_end;
  }
  EXPECT_EQ(console, "");
}

TEST_F(ReportInBrowser, TakesAScreenshot) {
  const auto shot = dir_ / "report.png";
  const auto r = test::run_command(chromium_command(dir_.path(), "--screenshot=" + shot.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(shot)) << r.output;
  const auto png = read_file(shot);
  EXPECT_EQ(png.compare(0, 4, "\x89PNG"), 0);
  EXPECT_GT(png.size(), 50000u);  // a blank page of this size compresses to a few kB
  if (const char* keep = std::getenv("METAHUMAN_KEEP_SCREENSHOT")) fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);
}

// In the fixture's suite (for the test labels), on a session of its own.
TEST_F(ReportInBrowser, SilenceToneAndNoiseLookDifferentAsTheBrowserDrawsThem) {
  test::TempDir dir;
  test::make_sound_session(dir.path());
  report::write_report(dir.path());
  const auto check = self_check(dir.path());
  ASSERT_TRUE(check.is_object());
  ASSERT_EQ(check["pictures"].size(), 3u) << check.dump(2);
  std::map<int, nlohmann::json> by_song;
  for (const auto& p : check["pictures"]) {
    ASSERT_FALSE(p.contains("error")) << p.dump();
    by_song[p["song"].get<int>()] = p;
  }
  const auto& silence = by_song.at(0);
  const auto& tone = by_song.at(1);
  const auto& noise = by_song.at(2);
  for (const auto* p : {&silence, &tone, &noise}) EXPECT_EQ((*p)["height"], 128) << p->dump();
  // Silence is the colour map's dark end, and flat.
  EXPECT_GT(silence["dark"].get<double>(), 0.99) << check.dump(2);
  EXPECT_LT(silence["luma"].get<double>(), 5) << check.dump(2);
  EXPECT_LT(silence["luma_sd"].get<double>(), 1) << check.dump(2);
  // The tone: bright harmonics on a dark ground, so much contrast; noise: bright and even.
  EXPECT_GT(tone["luma_sd"].get<double>(), 40) << check.dump(2);
  EXPECT_GT(tone["dark"].get<double>(), 0.1) << check.dump(2);
  EXPECT_LT(noise["dark"].get<double>(), 0.01) << check.dump(2);
  EXPECT_GT(noise["luma"].get<double>(), tone["luma"].get<double>() + 20) << check.dump(2);
  EXPECT_GT(tone["luma"].get<double>(), silence["luma"].get<double>() + 20) << check.dump(2);
  EXPECT_LT(noise["luma_sd"].get<double>(), tone["luma_sd"].get<double>()) << check.dump(2);
  EXPECT_EQ(check["errors"].size(), 0u) << check.dump(2);
}

}  // namespace
}  // namespace mh
