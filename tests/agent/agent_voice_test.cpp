#include <gtest/gtest.h>

#include "agent/agent_test_util.hpp"
#include "agent/agent_voice.hpp"
#include "audio/read_audio.hpp"
#include "core/errors.hpp"
#include "model/cpu_generator.hpp"

namespace mh {
namespace {

using model::cpu_generator;

/// The tiny agent with ML1, opened read-only (these tests never write to it).
agent::Agent voice_test_agent() { return agent::Agent::open(test::TinyAgents::get().ml1()); }

torch::Tensor voice_test_heard(const agent::Agent& a) {
  const auto audio = audio::read_audio(test::TinyAgents::get().corpus() / "tone2.wav",
                                       a.settings().front_end.mel.sample_rate_hz);
  return a.mel_snippets(audio.samples);
}

TEST(VaryLatents, NoNoiseReturnsTheLatentsAndDrawsNothing) {
  const auto z = torch::randn({5, 8});
  auto gen = cpu_generator(3), fresh = cpu_generator(3);
  EXPECT_TRUE(torch::equal(agent::vary_latents(z, 0.0, gen), z));
  EXPECT_TRUE(torch::equal(torch::randn({4}, gen), torch::randn({4}, fresh)));
}

TEST(VaryLatents, AddsSeededGaussianNoiseOfTheGivenSigma) {
  const auto z = torch::zeros({2000, 8});
  auto g1 = cpu_generator(5), g2 = cpu_generator(5);
  const auto a = agent::vary_latents(z, 0.5, g1);
  EXPECT_TRUE(torch::equal(a, agent::vary_latents(z, 0.5, g2)));
  EXPECT_NEAR(a.std().item<double>(), 0.5, 0.02);
  EXPECT_EQ(a.dtype(), torch::kFloat32);
}

TEST(VaryLatents, ANegativeOrNonFiniteSigmaIsRefused) {
  auto gen = cpu_generator(1);
  EXPECT_THROW(agent::vary_latents(torch::zeros({1, 8}), -0.1, gen), SettingsError);
  EXPECT_THROW(agent::vary_latents(torch::zeros({1, 8}), std::nan(""), gen), SettingsError);
}

TEST(AgentVoice, AnImitationIsAVariationWithoutNoiseAndIsMeasured) {
  const auto a = voice_test_agent();
  const auto heard = voice_test_heard(a);
  auto g1 = cpu_generator(9), g2 = cpu_generator(9);
  const auto imitation = agent::imitate(a, heard, g1);
  const auto same = agent::vary(a, heard, 0.0, g2);
  EXPECT_TRUE(torch::equal(imitation.audio, same.audio));
  EXPECT_TRUE(torch::equal(imitation.latents, a.encode(heard)));
  ASSERT_TRUE(imitation.listening.has_value());
  EXPECT_EQ(imitation.listening->snippets, heard.size(0));
}

TEST(AgentVoice, AVariationIsSeededAndMovesTheLatentsOffTheImitation) {
  const auto a = voice_test_agent();
  const auto heard = voice_test_heard(a);
  auto g1 = cpu_generator(4), g2 = cpu_generator(4);
  const auto one = agent::vary(a, heard, 0.3, g1);
  const auto two = agent::vary(a, heard, 0.3, g2);
  EXPECT_TRUE(torch::equal(one.audio, two.audio));
  EXPECT_TRUE(torch::equal(one.latents, two.latents));
  EXPECT_GT((one.latents - a.encode(heard)).abs().mean().item<double>(), 0.1);
}

TEST(AgentVoice, AnAnswerToARecordingIsTheVariationOfItsSnippetsWithTheNotesItKeeps) {
  const auto a = voice_test_agent();
  const auto audio = audio::read_audio(test::TinyAgents::get().corpus() / "tone2.wav",
                                       a.settings().front_end.mel.sample_rate_hz).samples;
  auto g1 = cpu_generator(6), g2 = cpu_generator(6);
  const auto answer = agent::answer_recording(a, audio, 0.0, g1);
  const auto same = agent::imitate(a, a.mel_snippets(audio), g2);
  EXPECT_TRUE(torch::equal(answer.audio, same.audio));
  ASSERT_TRUE(answer.listening.has_value());
  ASSERT_TRUE(answer.notes.has_value());
  EXPECT_GT(answer.notes->frames, 50);  // 2.5 s of 23-ms frames
  EXPECT_GE(answer.notes->pitch_agreement, 0.0);
  EXPECT_LE(answer.notes->pitch_agreement, 1.0);
  EXPECT_FALSE(same.notes.has_value());  // heard as mel only: no audio to compare notes with
}

TEST(AgentVoice, TheLatentPathOfARecordingEncodesItsSnippets) {
  const auto a = voice_test_agent();
  const auto audio = audio::read_audio(test::TinyAgents::get().corpus() / "tone1.wav",
                                       a.settings().front_end.mel.sample_rate_hz).samples;
  const auto path = agent::latent_path(a, audio);
  EXPECT_EQ(path.size(1), 8);
  EXPECT_TRUE(torch::equal(path, a.encode(a.mel_snippets(audio))));
}

TEST(AgentVoice, AnExcerptIsSeededWholeSnippetsOfAHumanTrainingSong) {
  const auto a = voice_test_agent();
  auto g1 = cpu_generator(2), g2 = cpu_generator(2);
  const auto e = agent::pick_excerpt(a, 0.5, 1.0, g1);
  const auto same = agent::pick_excerpt(a, 0.5, 1.0, g2);
  EXPECT_EQ(e.song_id, same.song_id);
  EXPECT_EQ(e.first, same.first);
  EXPECT_TRUE(torch::equal(e.mel, same.mel));
  const auto& song = a.dataset().manifest().song(e.song_id);
  EXPECT_EQ(song.provenance.split, corpus::Split::kTrain);
  EXPECT_EQ(song.provenance.depth, 0);
  EXPECT_GE(e.count, 1);
  EXPECT_LE(e.count, 4);  // at most 1 s of 0.25-s snippets
  EXPECT_LE(e.first + e.count, song.n_snippets());
  EXPECT_EQ(e.mel.size(0), e.count);
}

}  // namespace
}  // namespace mh
