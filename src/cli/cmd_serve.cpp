#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "report/live_server.hpp"

namespace mh::cli {
namespace {

struct ServeOptions {
  std::string session;
  report::LiveOptions live;
  bool host_given = false;
};

void print_line(const std::string& line) {
  // Flushed line by line: a supervisor or a test reads this log while the server runs.
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

void run_serve(const ServeOptions& o) {
  const auto& stop = interrupt_flag();
  std::signal(SIGPIPE, SIG_IGN);  // a page that vanishes mid-write is that page's problem only
  report::LiveServer server(o.session, o.live);
  server.set_note_sink(print_line);
  const int port = server.start();
  if (o.host_given && o.live.host != "127.0.0.1" && o.live.host != "localhost") {
    print_line(fmt::format("note: --host {} makes the page reachable from other machines on that network "
                           "(read-only, this session folder only)", o.live.host));
  }
  print_line(fmt::format("serving {} at http://{}:{}/ (Ctrl-C stops)", o.session, o.live.host, port));
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  print_line("stopped");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto [cmd, opts] = add_command(
      app, "serve",
      "Serve a live page that follows a conversation session as it runs (read-only web server over DIR)",
      run_serve);
  cmd->add_option("--session", opts->session, "Session folder written by `converse` (running, killed or finished)")
      ->required();
  cmd->add_option("--port", opts->live.port, "TCP port (0: any free port, printed at start)")
      ->capture_default_str();
  cmd->add_option("--songs", opts->live.songs_shown,
                  "Song cards on the page: the newest N (0: every song; a session of weeks has thousands)")
      ->capture_default_str();
  cmd->add_option_function<std::string>(
         "--host",
         [o = opts.get()](const std::string& host) {
           o->live.host = host;
           o->host_given = true;
         },
         "Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes the page to the network)");
}

}  // namespace mh::cli
