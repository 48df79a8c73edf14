#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/song_file.hpp"
#include "agent/song_window.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {

TEST(WriteSong, WritesTheWavAndASidecarWithLatentsDurationAndTheCallersFields) {
  test::TempDir dir;
  const auto audio = 0.5 * torch::sin(torch::arange(22050, torch::kFloat32) * 0.05);
  const auto latents = torch::arange(6, torch::kFloat32).reshape({3, 2});
  agent::write_song(dir / "song.wav", audio, 22050, {{"seed", 7}, {"kind", "machine"}}, latents);
  EXPECT_GT(std::filesystem::file_size(dir / "song.wav"), 2u * 22050u);
  EXPECT_LT(std::filesystem::file_size(dir / "song.wav"), 2u * 22050u + 256u);
  const auto j = nlohmann::json::parse(read_file(dir / "song.json"));
  EXPECT_EQ(j.at("seed"), 7);
  EXPECT_EQ(j.at("kind"), "machine");
  EXPECT_EQ(j.at("sample_rate_hz"), 22050);
  EXPECT_DOUBLE_EQ(j.at("duration_s").get<double>(), 1.0);
  ASSERT_EQ(j.at("latents").size(), 3u);
  EXPECT_EQ(j.at("latents")[2], (std::vector<float>{4.0f, 5.0f}));
}

TEST(WriteSong, RefusesLatentsOfAnotherShapeBeforeWritingAnything) {
  test::TempDir dir;
  EXPECT_THROW(agent::write_song(dir / "x.wav", torch::zeros({100}), 22050, nlohmann::json::object(), torch::zeros({4})),
               ShapeError);
  EXPECT_THROW(agent::write_song(dir / "x.wav", torch::zeros({100}), 22050, nlohmann::json::array(), torch::zeros({1, 4})),
               SettingsError);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.wav"));
  EXPECT_FALSE(std::filesystem::exists(dir / "x.json"));
}

TEST(WriteSong, RoundsLatentsToSixDecimalsAndWritesAnExactZeroAsZero) {
  const auto rows = agent::latent_rows(torch::tensor({0.1234567, -0.0, 2.0, 1e-9}, torch::kFloat64).reshape({2, 2}));
  EXPECT_EQ(rows.dump(), "[[0.123457,0.0],[2.0,0.0]]");
}

TEST(WriteSong, AddsWhatIsKnownOnlyAfterTheWavAndEndsTheSidecarWithANewline) {
  test::TempDir dir;
  const auto wav = dir / "songs" / "0001_A_machine.wav";  // the folder does not exist yet
  bool wav_was_there = false;
  agent::write_song(wav, torch::zeros({2205}), 22050, {{"kind", "machine"}}, torch::zeros({1, 2}),
                    [&](nlohmann::json& s) {
                      wav_was_there = std::filesystem::exists(wav);
                      s["map"] = {1, 2};
                    });
  EXPECT_TRUE(wav_was_there);
  const auto text = read_file(dir / "songs" / "0001_A_machine.json");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("map"), nlohmann::json({1, 2}));
  EXPECT_DOUBLE_EQ(j.at("duration_s").get<double>(), 0.1);
}

TEST(SongWindow, ASongShorterThanTheWindowIsSungWhole) {
  const auto r = agent::window_snippets(3, 2.0, 20.0, 40.0);  // a 6-s song, a 20-s window
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 3);
}

TEST(SongWindow, CoversTheWindowInWholeSnippetsAndMovesBackFromTheSongsEnd) {
  auto r = agent::window_snippets(30, 2.0, 20.0, 40.0);  // 60-s song
  EXPECT_EQ(r.first, 10);
  EXPECT_EQ(r.last, 20);
  r = agent::window_snippets(30, 2.0, 21.0, 24.5);
  EXPECT_EQ(r.first, 10);
  EXPECT_EQ(r.last, 13);
  r = agent::window_snippets(15, 2.0, 20.0, 40.0);  // 30-s song: the window becomes 10–30 s
  EXPECT_EQ(r.first, 5);
  EXPECT_EQ(r.last, 15);
  r = agent::window_snippets(15, 2.0, 4.0, -1.0);  // to the end
  EXPECT_EQ(r.first, 2);
  EXPECT_EQ(r.last, 15);
}

TEST(SongWindow, EmptyOrReversedWindowsAreRefused) {
  EXPECT_THROW(agent::window_snippets(10, 2.0, 30.0, -1.0), SettingsError);
  EXPECT_THROW(agent::window_snippets(10, 2.0, 5.0, 5.0), SettingsError);
  EXPECT_THROW(agent::window_snippets(10, 2.0, -1.0, 5.0), SettingsError);
  EXPECT_THROW(agent::window_snippets(0, 2.0, 0.0, 5.0), SettingsError);
}

}  // namespace
}  // namespace mh
