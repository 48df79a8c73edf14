#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "agent/agent.hpp"
#include "conversation/human_share.hpp"
#include "conversation_test_util.hpp"

namespace mh::conversation {
namespace {

using namespace test_util;

/// The snippets an agent held before the session, counted by hand from its final manifest.
struct HandCount {
  int64_t trained_human = 0, held_out_human = 0;
};

HandCount count_before(const corpus::Manifest& m, int64_t first_new_song) {
  HandCount c;
  for (int64_t id = 0; id < first_new_song; ++id) {
    const auto& song = m.song(id);
    EXPECT_EQ(song.provenance.depth, 0) << "an agent starts with human songs only";
    (song.provenance.split == corpus::Split::kTrain ? c.trained_human : c.held_out_human) += song.n_snippets();
  }
  return c;
}

std::vector<json> measures_of(const fs::path& session, const std::string& agent) {
  std::vector<json> out;
  std::istringstream in(read_file(session / "measures.jsonl"));
  for (std::string line; std::getline(in, line);) {
    const auto m = json::parse(line);
    if (m["agent"] == agent) out.push_back(m);
  }
  return out;
}

/// Two rounds of the default turns on 4-s songs, a dream after each: every agent hears three
/// songs of about 16 snippets a round against a few dozen human training snippets.
ConversationSettings two_rounds(DreamPolicy policy) {
  auto s = small_settings();
  s.opening = Opening::kMachine;
  s.machine_song_s = 4.0;
  s.excerpt_min_s = s.excerpt_max_s = 4.0;
  s.rounds = 2;
  s.dream_every = 1;
  s.a.dream_policy = s.b.dream_policy = policy;
  return s;
}

TEST(Emancipation, TStarCountsOnlyTheSnippetsTheAgentTrainsOnAsCountedByHand) {
  Trial run;
  ASSERT_TRUE(converse(run.options(two_rounds(DreamPolicy::kAccumulate))).finished);
  const auto events = run.events();
  const auto firsts = of_type(events, "session_start").at(0)["first_new_song"];
  for (const auto& [index, dir, name] :
       {std::tuple{0, run.agent_a(), "Valerio"}, std::tuple{1, run.agent_b(), "Dennis"}}) {
    SCOPED_TRACE(name);
    const auto agent = agent::Agent::open(dir);
    const auto& manifest = agent.dataset().manifest();
    const auto before = count_before(manifest, firsts.at(static_cast<size_t>(index)).get<int64_t>());
    ASSERT_GT(before.held_out_human, 0) << "the tiny agents hold validation songs out of training";
    ASSERT_GT(before.trained_human, 0);

    // Walk the listens: every remembered song is machine music on the training split.
    int64_t heard = 0, dreams = 0;
    std::optional<int64_t> song_by_hand, song_counting_held_out;
    std::optional<int> round_by_hand, dream_by_hand;
    for (const auto& e : events) {
      if (e["type"] == "dream_end" && e["agent"] == name) {
        ++dreams;
        // Accumulate trains on every training snippet: its share is the training split's.
        const double trained = static_cast<double>(before.trained_human) /
                               static_cast<double>(before.trained_human + heard);
        EXPECT_DOUBLE_EQ(e["measures"]["human_fraction_updates"].get<double>(), trained);
        if (!dream_by_hand && trained < 0.5) dream_by_hand = static_cast<int>(dreams);
      }
      if (e["type"] != "listen" || e["agent"] != name) continue;
      const auto& song = manifest.song(e["dataset_song"].get<int64_t>());
      ASSERT_EQ(song.provenance.split, corpus::Split::kTrain);
      ASSERT_GE(song.provenance.depth, 1);
      heard += song.n_snippets();
      const double trained = static_cast<double>(before.trained_human) /
                             static_cast<double>(before.trained_human + heard);
      const int64_t all_human = before.trained_human + before.held_out_human;
      const double whole = static_cast<double>(all_human) / static_cast<double>(all_human + heard);
      EXPECT_DOUBLE_EQ(e["human_fraction"].get<double>(), trained);
      EXPECT_DOUBLE_EQ(e["human_fraction_dataset"].get<double>(), whole);
      if (!song_by_hand && trained < 0.5) {
        song_by_hand = e["song"].get<int64_t>();
        round_by_hand = e["round"].get<int>();
      }
      if (!song_counting_held_out && whole < 0.5) song_counting_held_out = e["song"].get<int64_t>();
    }
    ASSERT_TRUE(song_by_hand) << "two rounds of 4-s songs outweigh the tiny agents' human songs";
    ASSERT_TRUE(dream_by_hand);

    const auto crossings = of_type(events, "emancipation");
    std::optional<json> crossing;
    for (const auto& c : crossings) {
      if (c["agent"] == name) crossing = c;
    }
    ASSERT_TRUE(crossing);
    EXPECT_EQ((*crossing)["song"], *song_by_hand);
    EXPECT_EQ((*crossing)["round"], *round_by_hand);
    // Counting the held-out songs never puts the moment earlier.
    EXPECT_TRUE(!song_counting_held_out || *song_counting_held_out >= *song_by_hand);

    const auto measures = measures_of(run.session(), name);
    ASSERT_EQ(measures.size(), 2u);
    const auto& last = measures.back();
    EXPECT_EQ(last["t_star_song"], *song_by_hand);
    EXPECT_EQ(last["t_star_round"], *round_by_hand);
    EXPECT_EQ(last["t_star_dream"], *dream_by_hand);
    EXPECT_DOUBLE_EQ(last["human_fraction"].get<double>(), human_share(manifest).of_trained());
    EXPECT_DOUBLE_EQ(last["human_fraction_dataset"].get<double>(), human_share(manifest).of_dataset());
  }
}

TEST(Emancipation, AReplaceDreamOnHeardSongsAloneIsTheFirstOnMoreMachineThanHumanData) {
  Trial run;
  auto s = two_rounds(DreamPolicy::kReplace);
  s.rounds = 1;
  ASSERT_TRUE(converse(run.options(s)).finished);
  for (const std::string name : {"Valerio", "Dennis"}) {
    const auto measures = measures_of(run.session(), name);
    ASSERT_EQ(measures.size(), 1u);
    // A partner's rendering of a human excerpt is machine music: the dream drew no human snippet.
    EXPECT_EQ(measures[0]["human_fraction_updates"].get<double>(), 0.0);
    EXPECT_EQ(measures[0]["t_star_dream"], 1) << name;
  }
}

TEST(HumanShare, CountsTheTrainingSplitApartFromTheHeldOutSongs) {
  corpus::Manifest m(corpus::StoreShape{8, 6});
  corpus::SongRecord r{"x", "x.wav", 1.0, 0.25, 0};
  corpus::Provenance human;
  corpus::Provenance held_out;
  held_out.split = corpus::Split::kValidation;
  corpus::Provenance heard;
  heard.origin = "Dennis";
  heard.kind = corpus::SongKind::kImitation;
  heard.depth = 1;
  m.add(r, human, {1, 2, 3});
  m.add(r, held_out, {4, 5});
  m.add(r, heard, {6, 7, 8, 9});
  const auto share = human_share(m);
  EXPECT_EQ(share.trained, 7);
  EXPECT_EQ(share.dataset, 9);
  EXPECT_DOUBLE_EQ(share.of_trained(), 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(share.of_dataset(), 5.0 / 9.0);
  EXPECT_DOUBLE_EQ(HumanShare{}.of_trained(), 1.0);
}

}  // namespace
}  // namespace mh::conversation
