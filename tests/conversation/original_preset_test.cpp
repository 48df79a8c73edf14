#include <gtest/gtest.h>

#include <sstream>

#include "agent/agent.hpp"
#include "conversation_test_util.hpp"
#include "model/ml1_checkpoint.hpp"

namespace mh::conversation {
namespace {

using namespace test_util;

TEST(OriginalPreset, SingsTheFixedWindowFromStoredPathsAndDreamsAtTheOriginalsRate) {
  const auto s = preset_settings("original");
  EXPECT_EQ(s.excerpt_window, ExcerptWindow::kFixed);
  EXPECT_EQ(s.excerpt_latents, ExcerptLatents::kStored);
  EXPECT_DOUBLE_EQ(s.excerpt_min_s, 20.0);
  EXPECT_DOUBLE_EQ(s.excerpt_max_s, 40.0);
  EXPECT_DOUBLE_EQ(s.a.dream_learning_rate, 1e-4);
  EXPECT_DOUBLE_EQ(s.b.dream_learning_rate, 1e-4);
  const auto again = parse_conversation_settings(to_toml_text(s), "round trip");
  EXPECT_EQ(again.excerpt_window, ExcerptWindow::kFixed);
  EXPECT_EQ(again.excerpt_latents, ExcerptLatents::kStored);
  EXPECT_DOUBLE_EQ(again.b.dream_learning_rate, 1e-4);
}

TEST(OriginalPreset, ASessionSavedBeforeTheseKeysResumesAsItWasSung) {
  std::istringstream in(to_toml_text(preset_settings("original")));
  std::string old;
  for (std::string line; std::getline(in, line);) {
    if (line.find("excerpt_window") == std::string::npos && line.find("excerpt_latents") == std::string::npos &&
        line.find("dream_learning_rate") == std::string::npos) {
      old += line + "\n";
    }
  }
  const auto s = parse_conversation_settings(old, "session.toml", true);
  EXPECT_EQ(s.excerpt_window, ExcerptWindow::kRandom);
  EXPECT_EQ(s.excerpt_latents, ExcerptLatents::kReencoded);
  EXPECT_DOUBLE_EQ(s.a.dream_learning_rate, 0.0);
  // A settings file of one's own still gets the preset's.
  EXPECT_EQ(parse_conversation_settings(old, "mine.toml").excerpt_window, ExcerptWindow::kFixed);
}

TEST(OriginalPreset, HumanExcerptsAreTheWindowDecodedFromThePathsStoredAtTheStart) {
  Trial run;
  auto s = preset_settings("original");
  s.rounds = 2;
  s.dream_every = 1;
  s.excerpt_min_s = 0.5;  // the window 0.5 → 1 s of the tiny agents' 2–3.25-s songs
  s.excerpt_max_s = 1.0;
  s.reference_snippets = 16;
  s.seed = 3;
  for (auto* r : {&s.a, &s.b}) r->dream_ml1_epochs = 1;
  ASSERT_TRUE(converse(run.options(s)).finished);
  const auto events = run.events();
  for (const auto& d : of_type(events, "dream_start")) EXPECT_DOUBLE_EQ(d["learning_rate"].get<double>(), 1e-4);

  int after_a_dream = 0;
  for (const auto& e : of_type(events, "song")) {
    if (e["kind"] != "human") continue;
    const auto sidecar = json::parse(read_file(run.session() / e["sidecar"].get<std::string>()));
    const std::string singer = e["singer"];
    const auto agent = agent::Agent::open(singer == "Valerio" ? run.agent_a() : run.agent_b());
    const auto whole = agent.dataset().read_song(sidecar["source"]["dataset_song"].get<int64_t>()).squeeze(1);
    if (whole.size(0) < 4) {  // the tiny corpus's 0.2-s blip is shorter than the window: sung whole
      EXPECT_DOUBLE_EQ(sidecar["source"]["from_s"].get<double>(), 0.0);
      continue;
    }
    EXPECT_DOUBLE_EQ(sidecar["source"]["from_s"].get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(sidecar["source"]["to_s"].get<double>(), 1.0);
    const auto mel = whole.slice(0, 2, 4);
    // The path as the singer's ML1 encoded it at the start: the judge's frozen copy.
    auto frozen = model::load_ml1_checkpoint(read_file(run.session() / "judges" / (singer + "_ml1.ckpt")),
                                                   torch::kCPU, "judge")
                            .model;
    frozen->eval();
    torch::NoGradGuard no_grad;
    const auto stored = frozen->encode(mel.unsqueeze(1).to(torch::kFloat32)).to(torch::kFloat64);
    const auto sung = torch::tensor(sidecar["latents"].get<std::vector<std::vector<double>>>().front(), torch::kFloat64);
    ASSERT_EQ(sidecar["latents"].size(), 2u);
    EXPECT_TRUE(torch::allclose(sung, stored[0], 0, 1e-5));
    if (e["round"].get<int>() > 1) {
      ++after_a_dream;
      // The dreams moved ML1: re-encoding would have sung other latents.
      const auto now = agent.encode(mel).to(torch::kFloat64);
      EXPECT_FALSE(torch::allclose(sung, now[0], 0, 1e-5));
    }
  }
  EXPECT_GE(after_a_dream, 1);
}

}  // namespace
}  // namespace mh::conversation
