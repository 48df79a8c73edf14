// The live page in a real browser: `metahuman serve` on an ephemeral port, headless Chromium
// showing its page, and a song appended to the session while the page is open. The page names
// the newest song in its title (live.js), which Chromium's DevTools endpoint (/json/list) reports
// without any other tooling. Skipped when Chromium is absent, like the report's browser tests.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <regex>
#include <thread>

#include "core/files.hpp"
#include "report/live_session.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path live_chromium_path() {
  if (const char* env = std::getenv("METAHUMAN_CHROMIUM")) return env;
  return "/usr/bin/chromium";
}

/// A program started in its own process group with its output in a file; the group is ended
/// with SIGTERM when the object goes.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& output) : output_(output) {
    // Everything the child needs is made before fork: after it, only async-signal-safe calls.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const std::string out = output.string();
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() { end(); }
  /// SIGTERM to the group; the child's exit status (-1 when it did not exit normally).
  int end() {
    if (pid_ <= 0) return status_;
    kill(-pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(-pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status_;
  }
  std::string output() const {
    std::error_code ec;
    return fs::exists(output_, ec) ? read_file(output_) : std::string();
  }

 private:
  fs::path output_;
  pid_t pid_ = -1;
  int status_ = -1;
};

/// Polls `probe` every 50 ms until it returns true or `seconds` pass.
bool wait_for(double seconds, const std::function<bool()>& probe) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return probe();
}

/// The title of the browser's page at `url_part`, from DevTools' target list; empty when unknown.
std::string page_title(int devtools_port, const std::string& url_part) {
  httplib::Client c("127.0.0.1", devtools_port);
  c.set_read_timeout(2, 0);
  const auto r = c.Get("/json/list");
  if (!r || r->status != 200) return {};
  const auto targets = nlohmann::json::parse(r->body, nullptr, false);
  if (!targets.is_array()) return {};
  for (const auto& t : targets) {
    if (t.value("type", "") == "page" && t.value("url", "").find(url_part) != std::string::npos) {
      return t.value("title", "");
    }
  }
  return {};
}

TEST(LiveInBrowser, ShowsANewlyWrittenSongOnTheOpenPageWithinTwoSeconds) {
  if (!fs::exists(live_chromium_path())) GTEST_SKIP() << live_chromium_path() << " absent (Debian package chromium)";
  test::TempDir dir;
  const auto session = dir / "session";
  test::make_running_session(session);

  Child serve({test::cli_path().string(), "serve", "--session", session.string(), "--port", "0"}, dir / "serve.log");
  std::smatch m;
  std::string log;
  const std::regex address(R"(at http://127\.0\.0\.1:(\d+)/)");
  ASSERT_TRUE(wait_for(30, [&] { return std::regex_search(log = serve.output(), m, address); })) << log;
  const std::string url = "http://127.0.0.1:" + m[1].str() + "/";

  const auto profile = dir / "profile";
  Child browser({live_chromium_path().string(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--no-default-browser-check", "--mute-audio", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.string(),
                 "--remote-debugging-port=0", "--window-size=1400,2400", "--enable-logging=stderr", "--v=0", url},
                dir / "chromium.log");
  int devtools = 0;
  ASSERT_TRUE(wait_for(30, [&] {
    std::error_code ec;
    if (!fs::exists(profile / "DevToolsActivePort", ec)) return false;
    devtools = std::atoi(read_file(profile / "DevToolsActivePort").c_str());
    return devtools > 0;
  })) << browser.output();

  // The page is up when it names the newest song (2) and follows the event stream.
  std::string title;
  ASSERT_TRUE(wait_for(30, [&] {
    title = page_title(devtools, url);
    return title.rfind("song 2:", 0) == 0 && serve.output().find("a page is watching") != std::string::npos;
  })) << "title '" << title << "'\n" << serve.output() << browser.output();

  test::append_song(session, 3);
  const auto written = Clock::now();
  const bool shown = wait_for(10, [&] { return (title = page_title(devtools, url)).rfind("song 3:", 0) == 0; });
  const auto seconds = std::chrono::duration<double>(Clock::now() - written).count();
  ASSERT_TRUE(shown) << "title '" << title << "'\n" << serve.output();
  RecordProperty("seconds_to_show_new_song", std::to_string(seconds));
  EXPECT_LT(seconds, 2.0) << "the new song took " << seconds << " s to appear";
  EXPECT_NE(title.find("Dennis (imitation)"), std::string::npos) << title;

  browser.end();
  // The page logs nothing of its own; a console line is an error from the page (a failed redraw).
  EXPECT_EQ(browser.output().find(":CONSOLE"), std::string::npos) << browser.output();
  EXPECT_EQ(serve.end(), 0) << serve.output();  // SIGTERM stops it cleanly
  EXPECT_NE(serve.output().find("stopped"), std::string::npos) << serve.output();
  EXPECT_EQ(serve.output().find("warning"), std::string::npos) << serve.output();
}

}  // namespace
}  // namespace mh
