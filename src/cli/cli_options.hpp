#pragma once
/// Options and set-up that many subcommands share.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <utility>

#include "agent/agent.hpp"

namespace mh::cli {

/// Adds subcommand `name` whose options fill an `Options` that lives as long as the command and
/// whose callback runs `run` on them: the frame each cmd_<name>.cpp would otherwise write out.
template <typename Options>
std::pair<CLI::App*, std::shared_ptr<Options>> add_command(CLI::App& parent, const std::string& name,
                                                           const std::string& description,
                                                           void (*run)(const Options&)) {
  auto options = std::make_shared<Options>();
  auto* cmd = parent.add_subcommand(name, description);
  cmd->callback([options, run] { run(*options); });
  return {cmd, options};
}

/// --device auto|cpu|cuda; any other value is a usage error.
CLI::Option* add_device_option(CLI::App* cmd, std::string& device,
                               const std::string& help = "auto, cpu or cuda (default from the agent's settings)");

/// The agent a command works with: --agent DIR (required) and --device.
struct AgentChoice {
  std::string dir;
  std::string device;
};
void add_agent_options(CLI::App* cmd, AgentChoice& choice);

/// Agent::open(choice.dir), moved to choice.device unless it is empty (then the agent's own
/// setting holds).
agent::Agent open_agent(const AgentChoice& choice);

}  // namespace mh::cli
