#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "agent/agent.hpp"
#include "agent/agent_test_util.hpp"
#include "conversation/conversation.hpp"
#include "conversation/conversation_test_util.hpp"
#include "conversation/dream.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::conversation {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace test_util;

std::string error_of(const std::string& toml) {
  try {
    parse_conversation_settings(toml, "s.toml");
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

TEST(ConversationSettings, TheOriginalPresetIsTheOriginalLoop) {
  const auto s = preset_settings("original");
  EXPECT_EQ(s.rounds, 1000);
  EXPECT_EQ(s.dream_every, 10);
  EXPECT_EQ(s.dream_order, (std::vector<Role>{Role::kB, Role::kA}));  // Dennis dreams first
  ASSERT_EQ(s.turns.size(), 6u);
  EXPECT_EQ(s.turns[0].singer, Role::kB);
  EXPECT_EQ(s.turns[0].act, Act::kHuman);
  EXPECT_EQ(s.turns[1].act, Act::kImitation);
  EXPECT_EQ(s.turns[2].act, Act::kVariation);
  EXPECT_DOUBLE_EQ(s.turns[2].sigma, 0.5);
  EXPECT_FALSE(s.turns[2].remembered);  // nobody listened to the variations
  EXPECT_TRUE(s.turns[1].remembered);
  for (const auto* r : {&s.a, &s.b}) {
    EXPECT_EQ(r->dream_policy, DreamPolicy::kReplace);
    EXPECT_EQ(r->dream_ml1_epochs, 20);
    EXPECT_EQ(r->dream_batch_size, 32);
    EXPECT_EQ(r->dream_ml2_epochs, 0);
  }
  EXPECT_NO_THROW(s.validate());
  // A file names the preset and changes what it wants; the rest is the preset's.
  const auto mine = parse_conversation_settings("preset = 'original'\nrounds = 20\n", "s.toml");
  EXPECT_EQ(mine.rounds, 20);
  EXPECT_EQ(mine.turns.size(), 6u);
  EXPECT_EQ(mine.a.dream_batch_size, 32);
  const auto again = parse_conversation_settings(to_toml_text(mine), "round trip");
  EXPECT_EQ(again.turns.size(), mine.turns.size());
  for (size_t i = 0; i < again.turns.size(); ++i) {
    EXPECT_EQ(again.turns[i].singer, mine.turns[i].singer);
    EXPECT_EQ(again.turns[i].act, mine.turns[i].act);
    EXPECT_EQ(again.turns[i].sigma, mine.turns[i].sigma);
    EXPECT_EQ(again.turns[i].remembered, mine.turns[i].remembered);
  }
  EXPECT_EQ(again.dream_order, mine.dream_order);
  EXPECT_NE(error_of("preset = 'lucier'\n").find("preset"), std::string::npos);
}

TEST(ConversationSettings, EveryFieldIsDescribedWithItsDefaultAndRange) {
  const auto text = describe_conversation_settings();
  EXPECT_NE(text.find("rounds = 15  # passes through the turns (0: until stopped) [0, 1000000]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("dream_budget_s = 0  # wall-clock budget"), std::string::npos) << text;
  EXPECT_NE(text.find("mix_human_share = 0.5"), std::string::npos) << text;
  // Every described field is one the parser takes, and the written settings name them all.
  const auto written = to_toml_text(ConversationSettings{});
  for (const char* name : {"rounds", "dream_every", "excerpt_min_s", "machine_song_s", "reference_snippets",
                           "variation_sigma", "dream_batch_size", "ml2_fresh_drift", "dream_snapshots_keep",
                           "songs_max_mb"}) {
    EXPECT_NE(text.find(std::string(name) + " = "), std::string::npos) << name;
    EXPECT_NE(written.find(std::string(name) + " = "), std::string::npos) << name;
  }
  EXPECT_NE(error_of("[b]\nml2_fresh_drift = -1\n").find("b.ml2_fresh_drift = -1 is out of range"), std::string::npos);
}

TEST(ConversationSettings, TheDefaultAlternatesHumanAndMachineOpenings) {
  const ConversationSettings s;
  EXPECT_EQ(s.opening, Opening::kAlternate);
  EXPECT_TRUE(s.sings_machine_songs());
  EXPECT_EQ(opening_act(s.opening, 1, true), Act::kHuman);
  EXPECT_EQ(opening_act(s.opening, 2, false), Act::kMachine);
  EXPECT_EQ(opening_act(s.opening, 3, false), Act::kHuman);
  EXPECT_EQ(opening_act(Opening::kFile, 1, true), Act::kFile);
  EXPECT_EQ(opening_act(Opening::kFile, 1, false), Act::kHuman);
}

TEST(ConversationSettings, TurnsThatCannotBeSungAreNamed) {
  EXPECT_NE(error_of("[[turns]]\nsinger = 'a'\nsings = 'imitation'\n").find("turns[0]"), std::string::npos);
  const std::string self = "[[turns]]\nsinger = 'a'\nsings = 'human'\n[[turns]]\nsinger = 'a'\nsings = 'variation'\n";
  EXPECT_NE(error_of(self).find("turns[1]"), std::string::npos);
  const std::string sigma = "[[turns]]\nsinger = 'a'\nsings = 'human'\n[[turns]]\nsinger = 'b'\nsings = 'variation'\n"
                            "sigma = 500\n";
  EXPECT_NE(error_of(sigma).find("turns[1].sigma"), std::string::npos);
  EXPECT_NE(error_of("[[turns]]\nsinger = 'c'\n").find("turns[0].singer"), std::string::npos);
  EXPECT_NE(error_of("[[turns]]\nsinger = 'a'\nsings = 'hum'\n").find("turns[0].sings"), std::string::npos);
  EXPECT_NE(error_of("dream_order = ['a', 'a']\n").find("dream_order"), std::string::npos);
  EXPECT_NE(error_of("[a]\ndream_budget_s = -1\n").find("a.dream_budget_s"), std::string::npos);
  // A session.toml from before turn lists cannot be continued: its rounds were half as long.
  EXPECT_THROW(parse_conversation_settings("rounds = 3\n", "session.toml", true), SettingsError);
}

/// One round of `turns`, no dreams.
ConversationSettings with_turns(std::vector<Turn> turns) {
  auto s = small_settings();
  s.turns = std::move(turns);
  s.dream_every = 0;
  return s;
}

TEST(Conversation, AMachineOpeningIsComposedByML2AndRemembered) {
  Trial run;
  auto s = with_turns({{Role::kA, Act::kOpen, -1, true}, {Role::kB, Act::kImitation, -1, true}});
  s.opening = Opening::kMachine;
  s.machine_song_s = 1.0;
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto songs = of_type(run.events(), "song");
  ASSERT_EQ(songs.size(), 2u);
  EXPECT_EQ(songs[0]["kind"], "machine");
  EXPECT_EQ(songs[0]["from"], "ML2");
  EXPECT_NEAR(songs[0]["duration_s"].get<double>(), 1.0, 0.3);
  const auto b = agent::Agent::open(run.agent_b());
  const auto& heard = b.dataset().manifest().songs().back();
  EXPECT_EQ(heard.provenance.kind, corpus::SongKind::kMachine);
  EXPECT_EQ(heard.provenance.origin, "Valerio");
}

TEST(Conversation, AFileOpeningIsSungOnceThenHumanExcerpts) {
  Trial run;
  const auto file = run.dir.path() / "opening.wav";
  mh::test::write_tone(file, 1.5, 330.0);
  auto s = with_turns({{Role::kA, Act::kOpen, -1, true}, {Role::kB, Act::kOpen, -1, true}});
  s.opening = Opening::kFile;
  s.opening_file = file.string();
  const auto before = agent::Agent::open(run.agent_b()).dataset().manifest().songs().size();
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto songs = of_type(run.events(), "song");
  ASSERT_EQ(songs.size(), 2u);
  EXPECT_EQ(songs[0]["kind"], "file");
  EXPECT_EQ(songs[0]["from"], "opening.wav");
  EXPECT_EQ(songs[1]["kind"], "human");
  // A recording played as it is stays human material in the listener's data.
  const auto b = agent::Agent::open(run.agent_b());
  ASSERT_EQ(b.dataset().manifest().songs().size(), before + 1);
  EXPECT_EQ(b.dataset().manifest().songs().back().provenance.kind, corpus::SongKind::kHuman);
  EXPECT_EQ(b.dataset().manifest().songs().back().provenance.depth, 0);
}

TEST(Conversation, AChainOfFourTurnsIsTracedFromTheLastListenersDataAlone) {
  Trial run;
  auto s = with_turns({{Role::kA, Act::kOpen, -1, true},
                       {Role::kB, Act::kImitation, -1, true},
                       {Role::kA, Act::kVariation, -1, true},
                       {Role::kB, Act::kVariation, 1.0, true}});
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto session_id = of_type(run.events(), "session_start").at(0)["session_id"].get<std::string>();
  ASSERT_FALSE(session_id.empty());

  // Valerio heard songs 1 and 3; song 2 (his own variation) is in no dataset of his.
  const auto a = agent::Agent::open(run.agent_a());
  const auto& last = a.dataset().manifest().songs().back();
  const auto& p = last.provenance;
  EXPECT_EQ(p.song_key, session_id + "/3");
  EXPECT_EQ(p.depth, 4);
  ASSERT_EQ(p.lineage.size(), 4u);
  const std::vector<std::string> singers{"Valerio", "Dennis", "Valerio", "Dennis"};
  const std::vector<std::string> acts{"human", "imitation", "variation", "variation"};
  const std::vector<double> sigmas{0, 0, 0.5, 1.0};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p.lineage[i].song, session_id + "/" + std::to_string(i));
    EXPECT_EQ(p.lineage[i].singer, singers[i]);
    EXPECT_EQ(p.lineage[i].act, acts[i]);
    EXPECT_DOUBLE_EQ(p.lineage[i].sigma, sigmas[i]);
  }
  // The root names the human recording the chain began with.
  bool known_title = false;
  for (const auto& song : a.dataset().manifest().songs()) known_title |= song.record.title == p.lineage[0].from;
  EXPECT_TRUE(known_title) << p.lineage[0].from;
  // The other song he heard is the chain's second step, with the same history up to it.
  const auto& earlier = a.dataset().manifest().songs()[a.dataset().manifest().songs().size() - 2];
  EXPECT_EQ(earlier.provenance.song_key, session_id + "/1");
  ASSERT_EQ(earlier.provenance.lineage.size(), 2u);
  EXPECT_EQ(earlier.provenance.lineage[0], p.lineage[0]);
  // The sidecar of the last song carries the same chain.
  const auto sidecar = json::parse(read_file(run.session() / "songs" / "0003_Dennis_variation.json"));
  EXPECT_EQ(sidecar["id"], session_id + "/3");
  EXPECT_EQ(sidecar["lineage"].size(), 4u);
}

TEST(Conversation, EmancipationIsWrittenOnceWhenTheHumanShareFallsBelowHalf) {
  Trial run;
  auto s = small_settings();
  s.opening = Opening::kMachine;
  s.machine_song_s = 4.0;
  s.excerpt_min_s = s.excerpt_max_s = 4.0;
  s.rounds = 2;
  s.dream_every = 2;
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto events = run.events();
  for (const auto& e : of_type(events, "listen")) {
    EXPECT_TRUE(e["human_fraction"].is_number());
    EXPECT_TRUE(e["human_fraction_updates"].is_number());
  }
  for (const std::string agent : {"Valerio", "Dennis"}) {
    std::vector<json> crossings;
    std::optional<double> before;
    for (const auto& e : events) {
      if (e["type"] == "emancipation" && e["agent"] == agent) crossings.push_back(e);
      if (e["type"] == "listen" && e["agent"] == agent && crossings.empty()) before = e["human_fraction"].get<double>();
    }
    ASSERT_EQ(crossings.size(), 1u) << agent;
    EXPECT_LT(crossings[0]["human_fraction"].get<double>(), 0.5);
    EXPECT_LT(*before, 0.5);  // the listen that tipped it is the last one before the event
    const int round = crossings[0]["round"].get<int>();
    EXPECT_GE(round, 1);
    EXPECT_LE(round, 2);
    // The measures of the dream after it carry t*.
    std::istringstream in(read_file(run.session() / "measures.jsonl"));
    bool found = false;
    for (std::string line; std::getline(in, line);) {
      const auto m = json::parse(line);
      if (m["agent"] != agent) continue;
      found = true;
      EXPECT_EQ(m["t_star_dream"], 1);
      EXPECT_EQ(m["t_star_round"], round);
      EXPECT_EQ(m["t_star_song"], crossings[0]["song"]);
    }
    EXPECT_TRUE(found);
  }
}

TEST(Conversation, NoEmancipationWhileTheHumanShareStaysAboveHalf) {
  Trial run;
  const auto file = run.dir.path() / "opening.wav";
  mh::test::write_tone(file, 1.0, 330.0);
  auto s = small_settings();
  s.opening = Opening::kFile;
  s.opening_file = file.string();
  s.turns = {{Role::kA, Act::kOpen, -1, true}, {Role::kB, Act::kImitation, -1, false}};
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto events = run.events();
  EXPECT_TRUE(of_type(events, "emancipation").empty());
  ASSERT_EQ(of_type(events, "listen").size(), 1u);  // the imitation was not remembered
  EXPECT_GE(of_type(events, "listen")[0]["human_fraction"].get<double>(), 0.5);
  std::istringstream in(read_file(run.session() / "measures.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    const auto m = json::parse(line);
    EXPECT_TRUE(m["t_star_dream"].is_null());
    EXPECT_TRUE(m["t_star_round"].is_null());
  }
  EXPECT_EQ(lines, 2);
}

TEST(Conversation, ABudgetedDreamStopsAfterAStepAndML2StillFollowsML1) {
  Trial run;
  auto s = with_turns({{Role::kA, Act::kOpen, -1, true}, {Role::kB, Act::kImitation, -1, true}});
  s.dream_every = 1;
  for (auto* r : {&s.a, &s.b}) {
    r->dream_ml1_epochs = 50;
    r->dream_ml2_epochs = 3;
    r->dream_budget_s = 1e-3;
    r->dream_batch_size = 2;
  }
  const auto ml2_before = read_file(run.agent_a() / "ml2.ckpt");
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto events = run.events();
  for (const auto& e : of_type(events, "dream_start")) EXPECT_EQ(e["batch_size"], 2);
  const auto ends = of_type(events, "dream_end");
  ASSERT_EQ(ends.size(), 2u);
  for (const auto& e : ends) {
    EXPECT_TRUE(e["out_of_time"].get<bool>());
    EXPECT_EQ(e["ml1_epochs"], 1);  // cut short after its first step
    EXPECT_NE(e["ml2"], "none");
  }
  EXPECT_NE(fnv1a64(read_file(run.agent_a() / "ml2.ckpt")), fnv1a64(ml2_before));
  auto a = agent::Agent::open(run.agent_a());
  EXPECT_TRUE(a.ml2_is_current());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  EXPECT_EQ(a.compose(1, 1.0, gen).size(), 1u);
}

TEST(Dream, PoliciesChooseML2SongsAsTheyChooseML1Items) {
  Trial run;
  auto s = with_turns({{Role::kA, Act::kOpen, -1, true}, {Role::kB, Act::kImitation, -1, true}});
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto a = agent::Agent::open(run.agent_a());
  const auto& songs = a.dataset().manifest().songs();
  const int64_t newest = songs.back().id;  // Dennis's imitation, heard this session
  RoleSettings role;
  role.dream_policy = DreamPolicy::kReplace;
  const auto replace = plan_dream(a, role, newest, 1);
  EXPECT_EQ(replace.songs, (std::vector<int64_t>{newest}));
  EXPECT_TRUE(replace.strata.empty());
  role.dream_policy = DreamPolicy::kAccumulate;
  const auto all = plan_dream(a, role, newest, 1);
  EXPECT_GT(all.songs.size(), 1u);
  EXPECT_TRUE(std::find(all.songs.begin(), all.songs.end(), newest) != all.songs.end());
  role.dream_policy = DreamPolicy::kMix;
  role.mix_human_share = 0.5;
  const auto mix = plan_dream(a, role, newest, 1);
  ASSERT_EQ(mix.strata.size(), mix.items.size());
  int64_t human = 0;
  for (const auto k : mix.strata) human += k;
  EXPECT_NEAR(static_cast<double>(human) / static_cast<double>(mix.items.size()), 0.5, 0.05);
  EXPECT_NEAR(mix.human_share, 0.5, 0.05);
  EXPECT_EQ(mix.songs.size(), 2u);  // the heard song and one human song: λ = 1/2 by songs too
}

TEST(Dream, OrderDriftIsTheMeanSquaredMoveOverTheSpread) {
  const auto a = torch::tensor({{0.0, 0.0}, {2.0, 0.0}}, torch::kFloat32);
  const auto b = torch::tensor({{0.0, 2.0}}, torch::kFloat32);
  EXPECT_DOUBLE_EQ(order_drift({a, b}, {a, b}), 0.0);
  // Spread: mean squared distance to the mean of (0,0), (2,0), (0,2) is 16/9; every step moves by 1.
  const auto shift = torch::tensor({1.0, 0.0}, torch::kFloat32);
  EXPECT_NEAR(order_drift({a, b}, {a + shift, b + shift}), 1.0 / (16.0 / 9.0), 1e-9);
  EXPECT_TRUE(std::isnan(order_drift({}, {})));
}

}  // namespace
}  // namespace mh::conversation
