#include "cli/cli_options.hpp"

namespace mh::cli {

CLI::Option* add_device_option(CLI::App* cmd, std::string& device, const std::string& help) {
  return cmd->add_option("--device", device, help)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
}

agent::Agent open_agent(const std::string& dir, const std::string& device) {
  auto a = agent::Agent::open(dir);
  if (!device.empty()) a.set_device(agent::resolve_device(device));
  return a;
}

}  // namespace mh::cli
