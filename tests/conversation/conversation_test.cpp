#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>

#include "agent/agent.hpp"
#include "agent/agent_test_util.hpp"
#include "conversation/conversation.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "model/checkpoint.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {
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

ConversationSettings small_settings() {
  ConversationSettings s;
  s.rounds = 2;
  s.dream_every = 1;
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
  void on_event(const json&) override {
    if (--n_ == 0) flag_ = true;
  }

 private:
  int n_;
  std::atomic<bool>& flag_;
};

TEST(Conversation, SingsListensRemembersAndDreamsWithProvenance) {
  Trial run;
  const auto before_a = agent::Agent::open(run.agent_a()).dataset().manifest().songs().size();
  const auto outcome = converse(run.options(small_settings()));
  EXPECT_TRUE(outcome.finished);
  EXPECT_EQ(outcome.rounds_done, 2);

  const auto events = run.events();
  int songs = 0, listens = 0, dreams = 0;
  for (const auto& e : events) {
    songs += e["type"] == "song";
    listens += e["type"] == "listen";
    dreams += e["type"] == "dream_end";
  }
  EXPECT_EQ(songs, 6);    // opening, imitation, variation per round
  EXPECT_EQ(listens, 6);  // every song is heard by the other agent
  EXPECT_EQ(dreams, 4);   // both agents after each round
  EXPECT_EQ(run.songs().size(), 6u);

  // Valerio opened round 0 and heard Dennis's imitation; Dennis opened round 1.
  const auto a = agent::Agent::open(run.agent_a());
  const auto& songs_a = a.dataset().manifest().songs();
  ASSERT_EQ(songs_a.size(), before_a + 3);
  const auto& heard = songs_a[before_a];
  EXPECT_EQ(heard.provenance.origin, "Dennis");
  EXPECT_EQ(heard.provenance.kind, corpus::SongKind::kImitation);
  EXPECT_EQ(heard.provenance.depth, 2);  // human → Valerio's excerpt (1) → Dennis's imitation (2)
  EXPECT_EQ(heard.provenance.round, 0);
  EXPECT_GT(heard.n_snippets(), 0);

  const auto measures = read_file(run.session() / "measures.jsonl");
  std::istringstream in(measures);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const auto m = json::parse(line);
    EXPECT_LT(m["human_fraction"].get<double>(), 1.0);
    EXPECT_GT(m["human_fraction"].get<double>(), 0.0);
    EXPECT_TRUE(m["forgetting"].is_number());
    ++lines;
  }
  EXPECT_EQ(lines, 4);
  EXPECT_TRUE(fs::exists(run.session() / "map.json"));
  const auto sidecar = json::parse(read_file(run.session() / "songs" / "0001_Dennis_imitation.json"));
  EXPECT_EQ(sidecar["parent"], 0);
  EXPECT_EQ(sidecar["map"].size(), 2u);
  EXPECT_GT(sidecar["latents"].size(), 0u);
}

TEST(Conversation, RefusesToOverwriteASessionWithoutResume) {
  Trial run;
  auto s = small_settings();
  s.rounds = 1;
  s.dream_every = 0;
  converse(run.options(s));
  EXPECT_THROW(converse(run.options(s)), DatasetError);
}

TEST(Conversation, ResumedAfterStopsEndsWithTheSameSongBytes) {
  Trial whole;
  converse(whole.options(small_settings()));
  const auto expected = whole.songs();

  Trial parts;
  // Stop after a song, inside a round, and at a dream; each time resume.
  for (const int stop_after : {3, 4, 9}) {
    std::atomic<bool> flag{false};
    StopAfter stopper(stop_after, flag);
    auto o = parts.options(small_settings());
    o.resume = true;
    o.stop = &flag;
    o.sinks.push_back(&stopper);
    const auto outcome = converse(o);
    EXPECT_FALSE(outcome.finished);
  }
  auto o = parts.options(small_settings());
  o.resume = true;
  EXPECT_TRUE(converse(o).finished);
  const auto got = parts.songs();
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, bytes] : expected) {
    EXPECT_TRUE(got.count(name) && fnv1a64(got.at(name)) == fnv1a64(bytes)) << name << " differs";
  }
  // The checkpoints hold wall-clock times in their history; the weights must be identical.
  const auto pa = model::load_ml1_checkpoint(read_file(parts.agent_a() / "ml1.ckpt"), torch::kCPU).model->named_parameters();
  const auto wa = model::load_ml1_checkpoint(read_file(whole.agent_a() / "ml1.ckpt"), torch::kCPU).model->named_parameters();
  for (const auto& p : pa) EXPECT_TRUE(torch::equal(p.value(), wa[p.key()])) << p.key();
  EXPECT_EQ(agent::Agent::open(parts.agent_b()).dataset().size(), agent::Agent::open(whole.agent_b()).dataset().size());
}

TEST(Conversation, ATornLastEventLineIsDroppedOnResume) {
  Trial run;
  auto s = small_settings();
  s.dream_every = 0;
  std::atomic<bool> flag{false};
  StopAfter stopper(4, flag);
  auto o = run.options(s);
  o.stop = &flag;
  o.sinks.push_back(&stopper);
  converse(o);
  {
    std::string text = read_file(run.session() / "events.jsonl");
    text += "{\"seq\": 99, \"ty";  // a kill in the middle of an append
    write_file_atomic(run.session() / "events.jsonl", text);
  }
  auto r = run.options(s);
  r.resume = true;
  EXPECT_TRUE(converse(r).finished);
  const auto events = run.events();
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i]["seq"].get<size_t>(), i);
}

TEST(ConversationSettings, OutOfRangeFieldsAreNamed) {
  try {
    parse_conversation_settings("rounds = 0\n", "s.toml");
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("rounds"), std::string::npos);
  }
  EXPECT_THROW(parse_conversation_settings("[a]\ndream_policy = 'forget'\n", "s.toml"), SettingsError);
  EXPECT_THROW(parse_conversation_settings("roundz = 3\n", "s.toml"), SettingsError);
  const auto s = parse_conversation_settings("rounds = 3\n[b]\nvariation_sigma = 0.25\n", "s.toml");
  EXPECT_EQ(s.rounds, 3);
  EXPECT_DOUBLE_EQ(s.b.variation_sigma, 0.25);
  EXPECT_EQ(parse_conversation_settings(to_toml_text(s), "round trip").b.variation_sigma, 0.25);
}

}  // namespace
}  // namespace mh::conversation
