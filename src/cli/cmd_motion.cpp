// metahuman motion: how an agent's machine songs move through ML1's latent space, against its
// human songs (docs/ml2_composing.md).
#include <fmt/format.h>

#include <cmath>

#include "agent/agent_motion.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "model/cpu_generator.hpp"

namespace mh::cli {
namespace {

struct MotionOptions {
  AgentChoice agent;
  int songs = 8;
  double seconds = 0;
  std::uint64_t seed = 0;
  int window = 8;
  double temperature = 0;
  bool json = false;
};

std::string figure(double v) { return std::isfinite(v) ? fmt::format("{:10.4f}", v) : fmt::format("{:>10}", "-"); }

void run_motion(const MotionOptions& o) {
  auto a = open_agent(o.agent);
  auto gen = model::cpu_generator(o.seed);
  const auto m = agent::agent_motion(a, o.songs, o.seconds, gen, o.window, o.temperature);
  const auto& c = m.comparison;
  if (o.json) {
    auto j = c.to_json();
    j["human_songs"] = m.human_songs;
    j["training_songs"] = m.training_songs;
    j["seed"] = o.seed;
    j["seconds"] = o.seconds;
    j["ml2_version"] = a.ml2_version();
    fmt::print("{}\n", j.dump());
    return;
  }
  fmt::print("{}: {} machine songs (seed {}, {}) against {} human songs [{}]; nearest over {} training songs, "
             "windows of {} steps\n",
             a.name(), c.machine.songs, o.seed, o.seconds > 0 ? fmt::format("{} s", o.seconds) : "lengths by ML2",
             c.human.songs, fmt::join(m.human_songs, " "), m.training_songs, c.window);
  fmt::print("{:<14}{:>10}{:>10}{:>10}\n", "figure", "human", "machine", "ratio");
  auto row = [](const char* name, double human, double machine) {
    fmt::print("{:<14}{}{}{}\n", name, figure(human), figure(machine), figure(human > 0 ? machine / human : NAN));
  };
  row("step", c.human.step, c.machine.step);
  row("spread", c.human.spread, c.machine.spread);
  row("variety", c.human.variety, c.machine.variety);
  row("nearest", c.human_nearest, c.machine_nearest);
  row("closest pair", c.human_closest_pair, c.machine_closest_pair);
}

}  // namespace

void add_motion_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "motion",
                              "Motion of composed songs in ML1's latent space against the human songs (a table)",
                              run_motion);
  add_agent_options(cmd, o->agent);
  cmd->add_option("--songs", o->songs, "Machine songs to compose, and human songs to compare with")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Length of each machine song (0: as long as ML2 decides)")
      ->check(CLI::Range(0.0, 86400.0))->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the composing and of the human songs' draw")->capture_default_str();
  cmd->add_option("--window", o->window, "Steps per window of the nearest distances")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--temperature", o->temperature, "Sampling temperature (autoregressive preset; 0: the model's)")
      ->check(CLI::Range(0.0, 10.0))->capture_default_str();
  cmd->add_flag("--json", o->json, "One JSON line instead of the table");
}

}  // namespace mh::cli
