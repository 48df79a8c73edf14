#include "cli/cli_options.hpp"

namespace mh::cli {

CLI::Option* add_device_option(CLI::App* cmd, std::string& device, const std::string& help) {
  return cmd->add_option("--device", device, help)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
}

void add_agent_options(CLI::App* cmd, AgentChoice& choice) {
  cmd->add_option("--agent", choice.dir, "Agent folder")->required();
  add_device_option(cmd, choice.device);
}

agent::Agent open_agent(const AgentChoice& choice) {
  auto a = agent::Agent::open(choice.dir);
  if (!choice.device.empty()) a.set_device(agent::resolve_device(choice.device));
  return a;
}

}  // namespace mh::cli
