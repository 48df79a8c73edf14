#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/memory.hpp"

namespace mh::cli {

int run(int argc, char** argv) {
  keep_freed_memory();
  CLI::App app{"Meta Human: two neural musicians that learn from human recordings and from each other"};
  app.set_version_flag("--version", METAHUMAN_VERSION);
  app.require_subcommand(1);
  add_mel_command(app);
  add_invert_command(app);
  add_demo_command(app);
  add_roundtrip_command(app);
  add_report_command(app);
  add_serve_command(app);
  add_ingest_command(app);
  add_train_command(app);
  add_listen_command(app);
  add_encode_command(app);
  add_compose_command(app);
  add_sing_command(app);
  add_interpolate_command(app);
  add_motion_command(app);
  add_converse_command(app);
  add_agent_new_command(app);
  add_evaluate_command(app);
  add_chain_command(app);
  add_notes_command(app);
  add_crawl_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the parse error
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  } catch (const ShapeError& e) {
    std::fprintf(stderr, "error: internal: %s\n", e.what());  // a bug, not the user's input
    return static_cast<int>(e.exit_code());
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "error: tensor library: %s\n", e.what_without_backtrace());
    return static_cast<int>(ExitCode::kFailure);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal: %s\n", e.what());
    return static_cast<int>(ExitCode::kFailure);
  }
  return 0;
}

}  // namespace mh::cli
