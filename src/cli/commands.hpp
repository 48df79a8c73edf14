#pragma once
/// One function per subcommand (each in its cmd_<name>.cpp): it adds the subcommand's options
/// to `app` and sets its callback.
#include <CLI/CLI.hpp>

namespace mh::cli {

void add_mel_command(CLI::App& app);
void add_invert_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_roundtrip_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_ingest_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_listen_command(CLI::App& app);
void add_encode_command(CLI::App& app);
void add_compose_command(CLI::App& app);
void add_sing_command(CLI::App& app);
void add_interpolate_command(CLI::App& app);
void add_motion_command(CLI::App& app);
void add_converse_command(CLI::App& app);
/// `agent new` (the `agent` group holds it).
void add_agent_new_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_chain_command(CLI::App& app);
void add_notes_command(CLI::App& app);
void add_crawl_command(CLI::App& app);

}  // namespace mh::cli
