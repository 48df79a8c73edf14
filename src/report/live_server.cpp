#include "report/live_server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "conversation/session_paths.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "report/assets.hpp"
#include "report/event_tail.hpp"
#include "report/report.hpp"
#include "report/session_files.hpp"
#include "report/song_cards.hpp"
#include "report/song_images.hpp"

namespace mh::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Events kept for pages that reconnect; one that fell further behind reloads the whole page.
constexpr std::size_t kKeptEvents = 4096;
constexpr double kDrawSeconds = 10;  // spectrograms drawn per redraw at most
// A stream with nothing to say sends a comment this often, so that a vanished page is noticed.
constexpr auto kKeepAlive = std::chrono::seconds(2);
constexpr std::uint64_t kMaxFileBytes = 1ull << 30;

std::string sse_message(long long id, const json& event) {
  return fmt::format("id: {}\ndata: {}\n\n", id, event.dump(-1, ' ', false, json::error_handler_t::replace));
}

/// Size and modification time of the files besides the event log that the page draws from.
std::string files_stamp(const fs::path& dir) {
  std::string stamp;
  for (const char* name : {conversation::kMeasuresFile, conversation::kMapFile}) {
    std::error_code ec;
    const auto size = fs::file_size(dir / name, ec);
    const auto time = fs::last_write_time(dir / name, ec);
    stamp += fmt::format("{}:{}:{};", name, ec ? 0 : size, ec ? 0 : time.time_since_epoch().count());
  }
  return stamp;
}

}  // namespace

void LiveOptions::validate() const {
  check_range("port", port, 0, 65535);
  check_range("poll_ms", poll_ms, 20, 10000);
  check_range("max_watchers", max_watchers, 1, 1000);
  check_range("songs_shown", songs_shown, 0, 100000);
  check_range("redraw_gap_factor", redraw_gap_factor, 0, 100);
  check_choice("host", host, !host.empty(), "an IP address or host name such as 127.0.0.1 or 0.0.0.0");
}

struct LiveServer::Impl {
  /// What the pages are given, rebuilt whenever the session's files change.
  struct Snapshot {
    std::string page_html;
    std::string data_json;
  };

  fs::path root;  // canonical session folder
  LiveOptions options;
  httplib::Server server;
  std::thread listener;
  std::thread follower;
  std::atomic<bool> stopping{false};
  std::atomic<int> watchers{0};

  std::mutex note_mutex;
  std::function<void(const std::string&)> note_sink;

  // Guarded by `mutex`: the snapshot, the kept events and the counters pages wait on.
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::shared_ptr<const Snapshot> snapshot;
  std::deque<std::pair<long long, std::string>> kept;  // id → SSE message
  long long last_id = -1;    // id of the last event read (its line index among the events)
  long long generation = 0;  // bumped when the log restarts: ids begin again
  long long data_version = 0;

  EventTail tail{fs::path()};
  std::string stamp;
  std::string last_warning;

  void note(const std::string& line) {
    std::lock_guard<std::mutex> lock(note_mutex);
    if (note_sink) note_sink(line);
  }

  /// Reads the session again and renders what the pages fetch. Missing spectrograms are drawn
  /// here (report/mel), by the report's own code.
  void rebuild(long long seq) {
    const auto session = read_session(root, options.songs_shown);
    SongImages images;
    try {
      // Bounded, so that new events are not held back by a backlog of pictures (later redraws go on).
      images = draw_song_images(session, root / conversation::kReportDir, false, kDrawSeconds);
    } catch (const Error& e) {
      images = SongImages{};
      images.warnings.push_back(fmt::format("spectrograms not drawn: {}", e.what()));
    }
    auto shown = session;
    shown.warnings.insert(shown.warnings.end(), images.warnings.begin(), images.warnings.end());
    if (!images.warnings.empty() && images.warnings.front() != last_warning) {
      last_warning = images.warnings.front();
      note(fmt::format("warning: {}", last_warning));
    }
    const json live = {{"seq", seq}};
    const auto script = "const MH_LIVE = " + json_for_script(live) + ";\n" + std::string(assets::live_js());
    auto next = std::make_shared<Snapshot>();
    next->page_html = render_html(shown, images.paths, images.range, script);
    const std::map<int, std::string> image_of(images.paths.begin(), images.paths.end());
    next->data_json = json{{"data", page_data(shown)},
                           {"songs_html", songs_section(shown, image_of, images.range)},
                           {"seq", seq},
                           {"finished", session.session_end.has_value()}}
                          .dump(-1, ' ', false, json::error_handler_t::replace);
    std::lock_guard<std::mutex> lock(mutex);
    snapshot = std::move(next);
    ++data_version;
  }

  /// One look at the log: new events are rendered first, then pushed, so that a page fetching
  /// the data on an event finds that event's song in it.
  void follow_once(bool force) {
    auto update = tail.poll();
    for (const auto& w : update.warnings) note(fmt::format("warning: {}", w));
    const auto now_stamp = files_stamp(root);
    const bool files_changed = now_stamp != stamp;
    stamp = now_stamp;
    long long first_id = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (update.restarted) {
        kept.clear();
        last_id = -1;
        ++generation;
      }
      first_id = last_id + 1;
    }
    if (!force && !update.restarted && !files_changed && update.events.empty()) return;
    rebuild(first_id + static_cast<long long>(update.events.size()) - 1);
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& e : update.events) {
      ++last_id;
      kept.emplace_back(last_id, sse_message(last_id, e));
      if (kept.size() > kKeptEvents) kept.pop_front();
    }
    changed.notify_all();
  }

  void follow_loop() {
    std::chrono::steady_clock::duration took{};
    while (!stopping) {
      const auto gap = std::max<std::chrono::steady_clock::duration>(std::chrono::milliseconds(options.poll_ms),
                                                                     took * options.redraw_gap_factor);
      {
        // stop() notifies: it does not wait out a long gap.
        std::unique_lock<std::mutex> lock(mutex);
        if (changed.wait_for(lock, gap, [&] { return stopping.load(); })) break;
      }
      try {
        const auto start = std::chrono::steady_clock::now();
        follow_once(false);
        took = std::chrono::steady_clock::now() - start;
      } catch (const std::exception& e) {
        // The session's files are another process's: a bad moment there must not end the server.
        note(fmt::format("warning: the session could not be read: {}", e.what()));
      }
    }
  }

  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard<std::mutex> lock(mutex);
    return snapshot;
  }

  void stream_events(const httplib::Request& req, httplib::Response& res) {
    long long after = -2;
    const auto resume = req.has_header("Last-Event-ID") ? req.get_header_value("Last-Event-ID")
                        : req.has_param("after")        ? req.get_param_value("after")
                                                        : std::string();
    if (!resume.empty()) {
      try {
        after = std::stoll(resume);
      } catch (const std::exception&) {
        res.status = 400;
        res.set_content("Last-Event-ID / after must be an event id\n", "text/plain");
        return;
      }
    }
    if (watchers.fetch_add(1) >= options.max_watchers) {
      watchers.fetch_sub(1);
      res.status = 503;
      res.set_content("too many pages are following this session\n", "text/plain");
      return;
    }
    note(fmt::format("a page is watching ({} open)", watchers.load()));
    long long next = 0;
    long long gen = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      next = after == -2 ? last_id + 1 : after + 1;
      gen = generation;
    }
    res.set_header("X-Accel-Buffering", "no");
    auto first = std::make_shared<bool>(true);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, next, gen, first](std::size_t, httplib::DataSink& sink) mutable {
          std::string out;
          if (*first) {
            // At once, so that the page knows it is connected; and reconnect quickly after a hiccup.
            *first = false;
            out = "retry: 1000\n\n";
            return sink.write(out.data(), out.size());
          }
          {
            std::unique_lock<std::mutex> lock(mutex);
            const auto version = data_version;
            changed.wait_for(lock, kKeepAlive, [&] {
              return stopping || generation != gen || last_id >= next || next > last_id + 1 ||
                     data_version != version;
            });
            if (stopping) return false;
            const bool behind = !kept.empty() && next < kept.front().first;
            if (generation != gen || next > last_id + 1 || behind) {
              out += "event: reload\ndata: {}\n\n";
              gen = generation;
              next = last_id + 1;
            } else if (last_id >= next) {
              for (const auto& [id, message] : kept) {
                if (id >= next) out += message;
              }
              next = last_id + 1;
            } else if (data_version != version) {
              out += "event: refresh\ndata: {}\n\n";
            }
          }
          if (out.empty()) out = ": keep-alive\n\n";
          return sink.write(out.data(), out.size());
        },
        [this](bool) {
          watchers.fetch_sub(1);
          note(fmt::format("a page left ({} open)", watchers.load()));
        });
  }

  void serve_file(const httplib::Request& req, httplib::Response& res) {
    const auto file = resolve_session_file(root, req.path);
    if (!file) {
      res.status = 404;
      res.set_content("not found in this session folder\n", "text/plain");
      return;
    }
    try {
      res.set_content(read_file(*file, kMaxFileBytes), content_type_of(*file));
    } catch (const Error&) {
      res.status = 404;
      res.set_content("not readable\n", "text/plain");
    }
  }

  void routes() {
    server.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-cache"}});
    server.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/report/live.html"); });
    server.Get("/report/live.html", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(current()->page_html, "text/html; charset=utf-8");
    });
    server.Get("/live/data.json", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(current()->data_json, "application/json");
    });
    server.Get("/live/events", [this](const httplib::Request& req, httplib::Response& res) { stream_events(req, res); });
    server.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) { serve_file(req, res); });
    // Read-only: anything but GET and HEAD is refused whatever the path.
    const auto refuse = [](const httplib::Request&, httplib::Response& res) {
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      res.set_content("this server is read-only\n", "text/plain");
    };
    server.Post(R"(/.*)", refuse);
    server.Put(R"(/.*)", refuse);
    server.Patch(R"(/.*)", refuse);
    server.Delete(R"(/.*)", refuse);
    server.Options(R"(/.*)", refuse);
  }
};

LiveServer::LiveServer(const fs::path& session_dir, const LiveOptions& options) : impl_(std::make_unique<Impl>()) {
  options.validate();
  std::error_code ec;
  if (!fs::is_directory(session_dir, ec)) {
    throw InputError(fmt::format("{}: not a session folder (no such directory)", session_dir.string()));
  }
  impl_->root = fs::canonical(session_dir);
  impl_->options = options;
  impl_->tail = EventTail(impl_->root / conversation::kEventsFile);
  impl_->stamp = files_stamp(impl_->root);
  impl_->follow_once(/*force=*/true);
  impl_->routes();
  // Each page following the session holds a thread while it is connected: enough for all of
  // them and for the files they load meanwhile.
  const auto threads = static_cast<std::size_t>(options.max_watchers) + 8;
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_write_timeout(5, 0);
  impl_->server.set_read_timeout(5, 0);
  // Idle connections are closed soon, so that stop() does not wait long for them.
  impl_->server.set_keep_alive_timeout(1);
}

LiveServer::~LiveServer() { stop(); }

int LiveServer::start() {
  auto& s = *impl_;
  int port = s.options.port;
  if (port == 0) {
    port = s.server.bind_to_any_port(s.options.host);
    if (port < 0) throw IoError(fmt::format("serve: cannot listen on {} (any port)", s.options.host));
  } else if (!s.server.bind_to_port(s.options.host, port)) {
    throw IoError(fmt::format("serve: cannot listen on {}:{} (in use, or not an address of this machine)",
                              s.options.host, port));
  }
  s.listener = std::thread([&s] { s.server.listen_after_bind(); });
  // httplib's stop() does nothing to a server not yet listening: a stop() right after start()
  // would leave the listener running for good.
  for (int i = 0; i < 1000 && !s.server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  s.follower = std::thread([&s] { s.follow_loop(); });
  return port;
}

void LiveServer::stop() {
  auto& s = *impl_;
  if (s.stopping.exchange(true)) return;
  { std::lock_guard<std::mutex> lock(s.mutex); }  // a waiter between its check and its wait would miss the notify
  s.changed.notify_all();
  s.server.stop();
  if (s.listener.joinable()) s.listener.join();
  if (s.follower.joinable()) s.follower.join();
}

int LiveServer::watchers() const { return impl_->watchers.load(); }

void LiveServer::set_note_sink(std::function<void(const std::string&)> sink) {
  std::lock_guard<std::mutex> lock(impl_->note_mutex);
  impl_->note_sink = std::move(sink);
}

}  // namespace mh::report
