#pragma once
/// Two tiny trained agents and a session folder for the conversation tests.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "agent/agent_test_util.hpp"
#include "conversation/conversation.hpp"
#include "core/files.hpp"

namespace mh::conversation::test_util {
namespace fs = std::filesystem;
using nlohmann::json;

/// Two tiny trained agents (the agent tests' tiny one under two names), prepared once.
class Pair {
 public:
  static const Pair& get() {
    static const Pair pair;
    return pair;
  }
  fs::path a() const { return dir_.path() / "a"; }
  fs::path b() const { return dir_.path() / "b"; }

 private:
  Pair() {
    const auto& tiny = test::TinyAgents::get();
    int i = 0;
    for (const auto& [dir, name] : {std::pair{a(), "Valerio"}, std::pair{b(), "Dennis"}}) {
      test::copy_agent(tiny.ml2(), dir);
      auto s = agent::load_agent_settings(dir / "agent.toml");
      s.name = name;
      s.ml1.seed = static_cast<std::uint64_t>(i++);
      agent::save_agent_settings(dir / "agent.toml", s);
    }
  }
  test::TempDir dir_;
};

/// One round of the default turns (6 songs) on 0.5–1 s excerpts, both agents dreaming after it.
inline ConversationSettings small_settings() {
  ConversationSettings s;
  s.rounds = 1;
  s.dream_every = 1;
  s.opening = Opening::kHuman;
  s.excerpt_min_s = 0.5;
  s.excerpt_max_s = 1.0;
  s.reference_snippets = 16;
  s.seed = 7;
  for (auto* r : {&s.a, &s.b}) {
    r->dream_ml1_epochs = 1;
    r->dream_ml2_epochs = 1;
  }
  return s;
}

struct Trial {
  test::TempDir dir;
  fs::path session() const { return dir.path() / "session"; }
  fs::path agent_a() const { return dir.path() / "a"; }
  fs::path agent_b() const { return dir.path() / "b"; }
  Trial() {
    test::copy_agent(Pair::get().a(), agent_a());
    test::copy_agent(Pair::get().b(), agent_b());
  }
  ConversationOptions options(const ConversationSettings& s) const {
    ConversationOptions o;
    o.session = session();
    o.agent_a = agent_a();
    o.agent_b = agent_b();
    o.settings = s;
    return o;
  }
  std::vector<json> events() const {
    std::vector<json> out;
    std::istringstream in(read_file(session() / "events.jsonl"));
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }
  std::map<std::string, std::string> songs() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(session() / "songs")) {
      if (e.path().extension() == ".wav") out[e.path().filename().string()] = read_file(e.path());
    }
    return out;
  }
};

/// Stops the conversation when `n` events have been emitted.
class StopAfter : public EventSink {
 public:
  StopAfter(int n, std::atomic<bool>& flag) : n_(n), flag_(flag) {}
  void on_event(const events::Event&) override {
    if (--n_ == 0) flag_ = true;
  }

 private:
  int n_;
  std::atomic<bool>& flag_;
};

/// The events of `type`.
inline std::vector<json> of_type(const std::vector<json>& events, const std::string& type) {
  std::vector<json> out;
  for (const auto& e : events) {
    if (e["type"] == type) out.push_back(e);
  }
  return out;
}

}  // namespace mh::conversation::test_util
