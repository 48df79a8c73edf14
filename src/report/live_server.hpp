#pragma once
/// `metahuman serve`: a read-only web server over a conversation session folder that follows the
/// session as it runs. It is its own process (or thread) beside the conversation and only reads
/// the session's files, so a slow or vanished page can never make the conversation wait.
///
/// Routes (GET and HEAD only; every other method is refused with 405):
///   /                      → redirect to /report/live.html
///   /report/live.html      the report page plus the live script (src/report/web/live.js)
///   /live/data.json        {"data": the report's page data, "songs_html": its song list,
///                           "seq": last event id, "finished": bool}
///   /live/events           server-sent events: one message per new event of events.jsonl, with
///                          its line index as id (Last-Event-ID or ?after=N resume after it)
///   /<path>                a regular file inside the session folder (songs, spectrograms, logs)
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace mh::report {

struct LiveOptions {
  /// Address to listen on; 127.0.0.1 keeps the page on this machine.
  std::string host = "127.0.0.1";
  /// TCP port; 0 takes any free one (start() returns it).
  int port = 8765;
  /// How often the event log is checked for new lines.
  int poll_ms = 250;
  /// Pages following the session at once; more are refused (503) so that they cannot tie up
  /// every thread of the server.
  int max_watchers = 32;
  /// Song cards on the page (and paths on its maps): the newest ones; 0 shows every song. A
  /// conversation left running for weeks sings thousands.
  int songs_shown = 48;
  /// The page is redrawn at most once per this many times the last redraw took, so that the
  /// server takes at most a small share of a processor the conversation needs.
  int redraw_gap_factor = 3;

  /// Throws SettingsError naming the field, its value and the allowed range.
  void validate() const;
};

class LiveServer {
 public:
  /// Reads the session as it is now. Throws InputError when `session_dir` is not a directory,
  /// SettingsError for bad options.
  LiveServer(const std::filesystem::path& session_dir, const LiveOptions& options);
  ~LiveServer();
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  /// Binds and starts serving and following the log on background threads; returns the port.
  /// Throws IoError when the address cannot be bound.
  int start();
  /// Stops serving: open event streams end, threads are joined. Idempotent.
  void stop();

  /// Pages connected to /live/events now.
  int watchers() const;
  /// Called (from a server thread) with one line when a page connects or leaves, and when the
  /// session's files cannot be read or its spectrograms drawn.
  void set_note_sink(std::function<void(const std::string&)> sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mh::report
