#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>

#include "agent/agent.hpp"
#include "agent/agent_test_util.hpp"
#include "conversation/conversation.hpp"
#include "conversation/conversation_test_util.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "model/ml1_checkpoint.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace test_util;

TEST(Conversation, SingsListensRemembersAndDreamsWithProvenance) {
  Trial run;
  const auto before_a = agent::Agent::open(run.agent_a()).dataset().manifest().songs().size();
  const auto outcome = converse(run.options(small_settings()));
  EXPECT_TRUE(outcome.finished);
  EXPECT_EQ(outcome.rounds_done, 1);

  const auto events = run.events();
  EXPECT_EQ(of_type(events, "song").size(), 6u);    // per half: opening, imitation, variation
  EXPECT_EQ(of_type(events, "listen").size(), 6u);  // every song is heard by the other agent
  EXPECT_EQ(of_type(events, "dream_end").size(), 2u);
  EXPECT_EQ(run.songs().size(), 6u);
  EXPECT_EQ(of_type(events, "round_start").at(0)["round"], 1);  // rounds count from 1, as the original's
  // Answers to another song carry the notes they keep of it beside the mel figures.
  for (const auto& e : of_type(events, "song")) {
    const bool answers = e["kind"] == "imitation" || e["kind"] == "variation";
    ASSERT_EQ(e.contains("listening"), answers || e["kind"] == "human") << e.dump();
    if (!e.contains("listening")) continue;
    const auto& l = e["listening"];
    EXPECT_TRUE(l.contains("envelope_db")) << e.dump();
    EXPECT_EQ(l.contains("pitch_agreement"), answers) << e.dump();
    if (answers) {
      EXPECT_GT(l["note_frames"].get<int64_t>(), 0) << e.dump();
      EXPECT_GE(l["pitch_agreement"].get<double>(), 0.0) << e.dump();
      EXPECT_LE(l["pitch_agreement"].get<double>(), 1.0) << e.dump();
    }
  }

  // Valerio opened the first half and heard Dennis's imitation, opening and variation.
  const auto a = agent::Agent::open(run.agent_a());
  const auto& songs_a = a.dataset().manifest().songs();
  ASSERT_EQ(songs_a.size(), before_a + 3);
  const auto& heard = songs_a[before_a];
  EXPECT_EQ(heard.provenance.origin, "Dennis");
  EXPECT_EQ(heard.provenance.kind, corpus::SongKind::kImitation);
  EXPECT_EQ(heard.provenance.depth, 2);  // human → Valerio's excerpt (1) → Dennis's imitation (2)
  EXPECT_EQ(heard.provenance.round, 1);
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
    EXPECT_TRUE(m["ml2_val_mse"].is_number()) << line;
    EXPECT_TRUE(m["ml2_step_ratio"].is_number()) << line;
    EXPECT_TRUE(m["ml2_motion"].is_object()) << line;
    ++lines;
  }
  EXPECT_EQ(lines, 2);
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
  EXPECT_THROW(converse(run.options(s)), SessionError);
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
    parse_conversation_settings("rounds = -1\n", "s.toml");
    FAIL();
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("rounds"), std::string::npos);
  }
  EXPECT_THROW(parse_conversation_settings("[a]\ndream_policy = 'forget'\n", "s.toml"), SettingsError);
  EXPECT_THROW(parse_conversation_settings("roundz = 3\n", "s.toml"), SettingsError);
  EXPECT_THROW(parse_conversation_settings("dream_snapshots_keep = -1\n", "s.toml"), SettingsError);
  EXPECT_THROW(parse_conversation_settings("songs_max_mb = -5\n", "s.toml"), SettingsError);
  EXPECT_EQ(parse_conversation_settings("rounds = 0\n", "s.toml").rounds, 0);  // until stopped
  const auto s = parse_conversation_settings("rounds = 3\n[b]\nvariation_sigma = 0.25\n", "s.toml");
  EXPECT_EQ(s.rounds, 3);
  EXPECT_DOUBLE_EQ(s.b.variation_sigma, 0.25);
  EXPECT_EQ(parse_conversation_settings(to_toml_text(s), "round trip").b.variation_sigma, 0.25);
}

}  // namespace
}  // namespace mh::conversation
