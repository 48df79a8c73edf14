#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "core/errors.hpp"
#include "core/memory.hpp"

namespace mh::cli {

int run(int argc, char** argv) {
  keep_freed_memory();
  CLI::App app{"Meta Human: two neural musicians that learn from human recordings and from each other"};
  app.set_version_flag("--version", METAHUMAN_VERSION);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  }
  return 0;
}

}  // namespace mh::cli
