#pragma once
/// One function per group of subcommands: each adds its options to `app` and sets the callbacks.
#include <CLI/CLI.hpp>

namespace mh::cli {

void add_mel_command(CLI::App& app);
void add_invert_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_roundtrip_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_agent_commands(CLI::App& app);
void add_compose_commands(CLI::App& app);
void add_converse_commands(CLI::App& app);
void add_evaluate_command(CLI::App& app);

}  // namespace mh::cli
