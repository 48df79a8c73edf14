// The live page's server (`metahuman serve`): following the event log, path safety, read-only
// routes and the event stream, through a real HTTP client on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "report/event_tail.hpp"
#include "report/live_server.hpp"
#include "report/live_session.hpp"
#include "report/session_files.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

TEST(EventTail, ReturnsOnlyCompleteLinesAndTakesAHalfWrittenLineOnceItEnds) {
  test::TempDir dir;
  const auto log = dir / "events.jsonl";
  report::EventTail tail(log);
  EXPECT_TRUE(tail.poll().events.empty());  // no log yet
  test::append_text(log, "{\"seq\": 0, \"type\": \"session_start\"}\n{\"seq\": 1, \"ty");
  auto first = tail.poll();
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_EQ(first.events[0]["type"], "session_start");
  EXPECT_TRUE(tail.poll().events.empty());  // the second line is still being written
  test::append_text(log, "pe\": \"round_start\"}\nnot json\n");
  auto second = tail.poll();
  ASSERT_EQ(second.events.size(), 1u);
  EXPECT_EQ(second.events[0]["type"], "round_start");
  ASSERT_EQ(second.warnings.size(), 1u);
  EXPECT_NE(second.warnings[0].find("line 3"), std::string::npos) << second.warnings[0];
}

TEST(EventTail, StartsAgainWhenTheLogIsReplacedByAShorterOne) {
  test::TempDir dir;
  const auto log = dir / "events.jsonl";
  test::append_text(log, "{\"seq\": 0}\n{\"seq\": 1}\n");
  report::EventTail tail(log);
  EXPECT_EQ(tail.poll().events.size(), 2u);
  test::write_text_file(log, "{\"new\": true}\n");
  const auto update = tail.poll();
  EXPECT_TRUE(update.restarted);
  ASSERT_EQ(update.events.size(), 1u);
  EXPECT_EQ(update.events[0]["new"], true);
}

/// A session folder beside a secret file and links that lead to it.
class SessionFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    session_ = outer_ / "session";
    test::make_running_session(session_);
    test::write_text_file(outer_ / "secret.txt", "SECRET");
    fs::create_symlink(outer_ / "secret.txt", session_ / "link_out.txt");
    fs::create_directory_symlink(outer_.path(), session_ / "dir_out");
    fs::create_symlink(session_ / "session.toml", session_ / "link_in.toml");
    root_ = fs::canonical(session_);
  }
  std::vector<std::string> escapes() const {
    return {"/../secret.txt", "/songs/../../secret.txt", "/link_out.txt", "/dir_out/secret.txt",
            "/" + (outer_ / "secret.txt").string(), "/dir_out/session/../secret.txt"};
  }
  test::TempDir outer_;
  fs::path session_;
  fs::path root_;
};

TEST_F(SessionFiles, ResolvesFilesInsideTheSessionAndNothingOutsideIt) {
  EXPECT_EQ(report::resolve_session_file(root_, "/session.toml"), root_ / "session.toml");
  EXPECT_EQ(report::resolve_session_file(root_, "/songs/../map.json"), root_ / "map.json");
  EXPECT_EQ(report::resolve_session_file(root_, "/link_in.toml"), root_ / "session.toml");
  for (const auto& path : escapes()) EXPECT_FALSE(report::resolve_session_file(root_, path)) << path;
  EXPECT_FALSE(report::resolve_session_file(root_, "/songs"));         // a folder: no listing
  EXPECT_FALSE(report::resolve_session_file(root_, "/"));
  EXPECT_FALSE(report::resolve_session_file(root_, "/missing.wav"));
  EXPECT_FALSE(report::resolve_session_file(root_, std::string("/session.toml\0.png", 18)));
  EXPECT_EQ(report::content_type_of("songs/0001_a_b.wav"), "audio/wav");
  EXPECT_EQ(report::content_type_of("report/mel/0001.png"), "image/png");
}

/// A live server on an ephemeral port of 127.0.0.1 over the session of SessionFiles.
class LiveServer : public SessionFiles {
 protected:
  void SetUp() override {
    SessionFiles::SetUp();
    report::LiveOptions options;
    options.port = 0;
    options.poll_ms = 50;
    server_ = std::make_unique<report::LiveServer>(session_, options);
    port_ = server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }
  /// data.json once its "seq" reaches `seq`; fails after 20 s (a hang, not a speed check).
  json data_at(long long seq) {
    auto c = client();
    json data;
    for (int i = 0; i < 400; ++i) {
      const auto r = c.Get("/live/data.json");
      if (r && r->status == 200) {
        data = json::parse(r->body);
        if (data["seq"].get<long long>() >= seq) return data;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "data.json never reached seq " << seq << ": " << data.dump().substr(0, 300);
    return data;
  }
  std::unique_ptr<report::LiveServer> server_;
  int port_ = 0;
};

TEST_F(LiveServer, ServesTheLivePageItsDataAndTheSessionsFiles) {
  auto c = client();
  const auto root = c.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 302);
  EXPECT_EQ(root->get_header_value("Location"), "/report/live.html");
  const auto page = c.Get("/report/live.html");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("const MH_LIVE = {\"seq\":9}"), std::string::npos);
  EXPECT_NE(page->body.find("new EventSource"), std::string::npos);
  EXPECT_NE(page->body.find("MH_REPORT"), std::string::npos);
  const auto data = data_at(9);
  EXPECT_EQ(data["data"]["songs"].size(), 3u);
  EXPECT_NE(data["songs_html"].get<std::string>().find("id=\"song-2\""), std::string::npos);
  EXPECT_EQ(data["finished"], false);
  // The spectrograms the page links to were drawn and are served, and so are the songs.
  const auto png = c.Get("/report/mel/0000.png");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  const auto wav_path = session_ / "songs/0000_Valerio_human.wav";
  const auto wav = c.Get("/songs/0000_Valerio_human.wav");
  ASSERT_TRUE(wav);
  EXPECT_EQ(wav->status, 200);
  EXPECT_EQ(wav->get_header_value("Content-Type"), "audio/wav");
  EXPECT_EQ(wav->body, read_file(wav_path));
  const auto head = c.Head("/songs/0000_Valerio_human.wav");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(LiveServer, RefusesPathsThatLeaveTheSessionEncodedOrNot) {
  auto c = client();
  auto paths = escapes();
  for (const char* encoded : {"/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/songs/%2e%2e/%2e%2e/secret.txt",
                              "/%2e%2e%2fsecret.txt", "/songs%2f..%2f..%2fsecret.txt", "/..%5csecret.txt"}) {
    paths.push_back(encoded);
  }
  for (const auto& path : paths) {
    const auto r = c.Get(path.c_str());
    if (!r) continue;  // refusing to answer is fine too
    EXPECT_NE(r->status, 200) << path;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << path;
  }
  const auto inside = c.Get("/link_in.toml");
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->status, 200);
  EXPECT_EQ(c.Get("/songs/")->status, 404);  // no folder listings
}

TEST_F(LiveServer, IsReadOnly) {
  auto c = client();
  const auto before = read_file(session_ / "session.toml");
  const auto post = c.Post("/session.toml", "overwritten", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  const auto put = c.Put("/session.toml", "overwritten", "text/plain");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  const auto del = c.Delete("/session.toml");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(read_file(session_ / "session.toml"), before);
}

/// Reads /live/events until `until` appears in the stream (or 10 s pass) and returns the text.
std::string read_stream(int port, const httplib::Headers& headers, const std::string& path, const std::string& until,
                        const std::function<void()>& once_connected = {}) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  std::string text;
  bool connected = false;
  c.Get(path.c_str(), headers, [&](const char* data, std::size_t size) {
    text.append(data, size);
    if (!connected && once_connected) once_connected();
    connected = true;
    return text.find(until) == std::string::npos;
  });
  return text;
}

TEST_F(LiveServer, StreamsNewEventsAndResumesAfterTheLastIdAPageSaw) {
  // A reconnecting page gets everything after its Last-Event-ID, nothing before.
  const auto resumed = read_stream(port_, {{"Last-Event-ID", "7"}}, "/live/events", "id: 9\n");
  EXPECT_EQ(resumed.find("id: 7\n"), std::string::npos) << resumed;
  EXPECT_NE(resumed.find("id: 8\n"), std::string::npos) << resumed;
  EXPECT_NE(resumed.find("\"type\":\"dream_start\""), std::string::npos) << resumed;
  // A page that follows from now on is sent the song written while it waits, and the data it
  // then fetches holds that song's card with its player and spectrogram.
  const auto live = read_stream(port_, {}, "/live/events?after=9", "id: 10\n", [&] { test::append_song(session_, 3); });
  EXPECT_NE(live.find("\"song\":3"), std::string::npos) << live;
  const auto data = data_at(10);
  const auto html = data["songs_html"].get<std::string>();
  const auto card = html.find("id=\"song-3\"");
  ASSERT_NE(card, std::string::npos) << html;
  EXPECT_NE(html.find("src=\"../songs/0003_Dennis_imitation.wav\"", card), std::string::npos);
  EXPECT_NE(html.find("src=\"mel/0003.png\"", card), std::string::npos);
  EXPECT_TRUE(fs::exists(session_ / "report/mel/0003.png"));
}

TEST_F(LiveServer, TellsAPageFromAnotherLogToReload) {
  const auto text = read_stream(port_, {{"Last-Event-ID", "500"}}, "/live/events", "event: reload");
  EXPECT_NE(text.find("event: reload"), std::string::npos) << text;
}

TEST_F(LiveServer, ForgetsAVanishedPageAndStopsWithAStreamOpen) {
  // The client leaves as soon as it has its first bytes.
  read_stream(port_, {}, "/live/events", "retry:");
  for (int i = 0; i < 100 && server_->watchers() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(server_->watchers(), 0);
  std::thread page([&] { read_stream(port_, {}, "/live/events", "never sent"); });
  for (int i = 0; i < 100 && server_->watchers() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(server_->watchers(), 1);
  server_->stop();  // returns although a page is still connected
  page.join();
  EXPECT_EQ(server_->watchers(), 0);
}

TEST_F(LiveServer, ShowsOnlyTheNewestSongsWhenToldTo) {
  server_->stop();
  report::LiveOptions options;
  options.port = 0;
  options.poll_ms = 50;
  options.songs_shown = 2;
  server_ = std::make_unique<report::LiveServer>(session_, options);
  port_ = server_->start();
  const auto data = data_at(9);
  ASSERT_EQ(data["data"]["songs"].size(), 2u);
  EXPECT_EQ(data["data"]["songs"][0]["song"], 1);
  const auto html = data["songs_html"].get<std::string>();
  EXPECT_EQ(html.find("id=\"song-0\""), std::string::npos);
  EXPECT_NE(html.find("1 older ones"), std::string::npos);
}

TEST(LiveServerOptions, AreCheckedWithTheirNameAndRange) {
  report::LiveOptions options;
  options.port = 70000;
  try {
    options.validate();
    FAIL() << "port 70000 accepted";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("port = 70000"), std::string::npos) << e.what();
  }
  options = {};
  options.songs_shown = -1;
  try {
    options.validate();
    FAIL() << "songs_shown -1 accepted";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("songs_shown = -1"), std::string::npos) << e.what();
  }
  test::TempDir dir;
  EXPECT_THROW(report::LiveServer(dir / "missing", report::LiveOptions{}), InputError);
}

}  // namespace
}  // namespace mh
