#pragma once
namespace mh::cli {
/// Parses the command line, runs one subcommand, maps errors to exit codes (see core/errors.hpp).
int run(int argc, char** argv);
}  // namespace mh::cli
