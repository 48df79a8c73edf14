#include <gtest/gtest.h>

#include "agent/agent_test_util.hpp"
#include "agent/imitation_chain.hpp"
#include "audio/read_audio.hpp"
#include "core/errors.hpp"

namespace mh {
namespace {

struct ChainFixture {
  agent::Agent a = agent::Agent::open(test::TinyAgents::get().ml1());
  agent::Agent b = agent::Agent::open(test::TinyAgents::get().ml1());
  int rate = a.settings().front_end.mel.sample_rate_hz;
  torch::Tensor excerpt = audio::read_audio(test::TinyAgents::get().corpus() / "tone3.wav", rate).samples;
};

TEST(ImitationChain, PassesAlternateBetweenTheAgentsAndAreMeasuredAgainstTheExcerpt) {
  ChainFixture f;
  agent::ChainSettings s;
  s.passes = 3;
  s.seed = 7;
  std::vector<int> seen;
  const auto r = agent::imitation_chain(f.a, f.b, f.excerpt, f.rate, s, [&](const agent::ChainPass& p) {
    seen.push_back(p.pass);
  });
  ASSERT_EQ(r.passes.size(), 3u);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
  for (const auto& p : r.passes) {
    EXPECT_EQ(p.singer, "Tiny");
    EXPECT_EQ(p.sample_rate_hz, f.rate);
    EXPECT_GT(p.audio.numel(), f.rate);  // about the excerpt's 2.75 s, less the voice's trims
    EXPECT_GT(p.original.frames, 50);
    EXPECT_GT(p.previous.frames, 50);
    EXPECT_TRUE(p.listening.has_value());
  }
  EXPECT_NE(r.passes[0].seed, r.passes[1].seed);
  // Pass 1 heard the excerpt itself: both of its comparisons are the same one.
  EXPECT_DOUBLE_EQ(r.passes[0].original.pitch_agreement, r.passes[0].previous.pitch_agreement);
  EXPECT_DOUBLE_EQ(r.passes[0].original.chroma_similarity, r.passes[0].previous.chroma_similarity);
  const auto j = r.to_json();
  EXPECT_EQ(j.at("passes").size(), 3u);
  EXPECT_TRUE(j.contains("half_pass"));
  EXPECT_TRUE(j.at("passes")[1].at("original").contains("pitch_agreement"));
}

TEST(ImitationChain, TheSameSeedSingsTheSameChainAndSecondsCutTheExcerpt) {
  ChainFixture f;
  agent::ChainSettings s;
  s.passes = 2;
  s.seed = 3;
  s.seconds = 1.0;
  const auto one = agent::imitation_chain(f.a, f.b, f.excerpt, f.rate, s);
  const auto two = agent::imitation_chain(f.a, f.b, f.excerpt, f.rate, s);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(torch::equal(one.passes[i].audio, two.passes[i].audio));
  }
  EXPECT_LT(one.passes[0].audio.numel(), static_cast<int64_t>(1.1 * f.rate));
}

TEST(ImitationChain, TheHalfPassIsTheFirstAtOrBelowHalfOfPassOnesAgreement) {
  agent::ChainResult r;
  for (double agreement : {0.8, 0.6, 0.4, 0.1}) {
    agent::ChainPass p;
    p.pass = static_cast<int>(r.passes.size()) + 1;
    p.original.pitch_agreement = agreement;
    r.passes.push_back(p);
  }
  EXPECT_EQ(r.half_pass(), 3);
  r.passes.resize(2);
  EXPECT_FALSE(r.half_pass().has_value());
  EXPECT_TRUE(r.to_json().at("half_pass").is_null());
  r.passes[0].original.pitch_agreement = 0.0;  // nothing to lose
  EXPECT_FALSE(r.half_pass().has_value());
}

TEST(ImitationChain, AnEmptyExcerptOrNoPassesIsRefused) {
  ChainFixture f;
  agent::ChainSettings s;
  EXPECT_THROW(agent::imitation_chain(f.a, f.b, torch::zeros({0}), f.rate, s), InputError);
  s.passes = 0;
  EXPECT_THROW(agent::imitation_chain(f.a, f.b, f.excerpt, f.rate, s), SettingsError);
}

}  // namespace
}  // namespace mh
