#pragma once
/// Options and set-up that many subcommands share.
#include <CLI/CLI.hpp>

#include <string>

#include "agent/agent.hpp"

namespace mh::cli {

/// --device auto|cpu|cuda; any other value is a usage error.
CLI::Option* add_device_option(CLI::App* cmd, std::string& device,
                               const std::string& help = "auto, cpu or cuda (default from the agent's settings)");

/// Agent::open(dir), moved to `device` unless it is empty (then the agent's own setting holds).
agent::Agent open_agent(const std::string& dir, const std::string& device);

}  // namespace mh::cli
