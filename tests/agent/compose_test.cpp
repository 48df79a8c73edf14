#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/agent.hpp"
#include "agent/song_file.hpp"
#include "agent_test_util.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh {
namespace {

namespace fs = std::filesystem;
using test::TinyAgents;

torch::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

TEST(Compose, GivesSongsOfTrainedLengthsInMl1SpaceAndTheSameSongsForTheSameSeed) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml2(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  auto g1 = generator(3), g2 = generator(3), g3 = generator(4);
  const auto songs = a.compose(6, 0, g1);
  const auto again = a.compose(6, 0, g2);
  const auto other = a.compose(6, 0, g3);
  const auto stats = a.ml2().net().stats();
  ASSERT_EQ(songs.size(), 6u);
  bool any_different = false;
  for (size_t i = 0; i < songs.size(); ++i) {
    EXPECT_EQ(songs[i].dim(), 2);
    EXPECT_EQ(songs[i].size(1), 8);
    EXPECT_EQ(songs[i].device().type(), torch::kCPU);
    EXPECT_GE(songs[i].size(0), stats.min_length);
    EXPECT_LE(songs[i].size(0), stats.max_length);
    EXPECT_TRUE(torch::equal(songs[i], again[i]));
    any_different = any_different || !songs[i].sizes().equals(other[i].sizes()) || !torch::equal(songs[i], other[i]);
  }
  EXPECT_TRUE(any_different);
}

TEST(Compose, AimsForTheRequestedSecondsWithinAndBeyondTheTrainedLengths) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml2(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  const auto stats = a.ml2().net().stats();
  auto gen = generator(1);
  EXPECT_EQ(a.compose(2, 1.0, gen).at(1).size(0), 4);  // 1 s of 0.25-s snippets
  const int64_t beyond = 3 * stats.max_length + 1;
  const auto long_songs = a.compose(2, static_cast<double>(beyond) * 0.25, gen);
  EXPECT_EQ(long_songs.at(0).size(0), beyond);
  EXPECT_EQ(long_songs.at(1).size(0), beyond);
  EXPECT_TRUE(torch::isfinite(long_songs[0]).all().item<bool>());
  EXPECT_THROW(a.compose(0, 0, gen), SettingsError);
  EXPECT_THROW(a.compose(1, -1, gen), SettingsError);
}

TEST(Compose, IsRefusedWithoutMl2OrWhenMl1ChangedSinceMl2WasTrained) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml1(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  auto gen = generator(1);
  EXPECT_THROW(a.compose(1, 0, gen), CheckpointError);
  a.train_ml2({});
  EXPECT_NO_THROW(a.compose(1, 0, gen));
  agent::TrainOptions retrain;
  retrain.seed = 11;
  a.train_ml1(retrain);
  try {
    a.compose(1, 0, gen);
    FAIL() << "a stale ML2 composed";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("--stage ml2"), std::string::npos) << e.what();
  }
}

TEST(Compose, TheSameSeedGivesTheSameWavBytes) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml2(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  const auto voice = a.voice();
  for (const char* name : {"one.wav", "two.wav"}) {
    auto gen = generator(21);
    const auto latents = a.compose(1, 1.5, gen).front();
    agent::write_song(dir / name, voice.sing(latents, gen), voice.sample_rate_hz(), {{"seed", 21}}, latents);
  }
  const auto one = read_file(dir / "one.wav");
  EXPECT_GT(one.size(), 44u + 2u * 44100u);  // about 1.5 s of 16-bit audio
  EXPECT_EQ(one, read_file(dir / "two.wav"));
  EXPECT_EQ(read_file(dir / "one.json"), read_file(dir / "two.json"));
}

TEST(Interpolate, GivesTheRequestedNumberOfOrdersBetweenTwoSongs) {
  test::TempDir dir;
  test::copy_agent(TinyAgents::get().ml2(), dir / "a");
  auto a = agent::Agent::open(dir / "a");
  const auto songs = a.interpolate_songs(0, 1, 4);
  ASSERT_EQ(songs.size(), 4u);
  for (const auto& s : songs) EXPECT_EQ(s.size(1), 8);
  EXPECT_FALSE(torch::equal(songs.front().narrow(0, 0, 1), songs.back().narrow(0, 0, 1)));
  EXPECT_THROW(a.interpolate_songs(0, 1, 1), SettingsError);
  EXPECT_THROW(a.interpolate_songs(0, 99, 3), DatasetError);
}

}  // namespace
}  // namespace mh
