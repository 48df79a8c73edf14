#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "audio/write_wav.hpp"
#include "core/files.hpp"
#include "support/paths.hpp"
#include "support/tiny_agent.hpp"

namespace mh {
namespace {

std::string cli() { return test::cli_path().string(); }

void write_text(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A 3-s 440 Hz sine at 44.1 kHz as a 16-bit WAV, made with the CLI's own path (mel → invert
/// would need a sine file first, so write the header by hand).
void write_sine_wav(const std::filesystem::path& p, double seconds, int rate = 44100, double hz = 440.0) {
  const int n = static_cast<int>(seconds * rate);
  std::ofstream f(p, std::ios::binary);
  auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  f.write("RIFF", 4); u32(36 + n * 2); f.write("WAVEfmt ", 8); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2);
  u16(2); u16(16); f.write("data", 4); u32(n * 2);
  for (int i = 0; i < n; ++i) u16(static_cast<uint16_t>(static_cast<int16_t>(8000 * std::sin(2 * M_PI * hz * i / rate))));
}

TEST(Cli, HelpListsEveryCommand) {
  const auto r = test::run_command(cli() + " --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"mel", "invert", "ingest", "train", "listen", "encode", "demo", "compose", "sing", "interpolate",
                              "motion", "evaluate", "chain", "notes"}) {
    EXPECT_NE(r.output.find(command), std::string::npos) << command;
  }
}

TEST(Cli, NotesOfARecordingAgainstItselfAndAgainstAnotherTune) {
  test::TempDir dir;
  const auto a = (dir / "a.wav").string();
  const auto b = (dir / "b.wav").string();
  // Two melodies of 0.5-s tones on different pitch classes.
  for (const auto& [file, semitones] : {std::pair{a, std::vector<int>{0, 4, 7, 2, 9, 5}},
                                         std::pair{b, std::vector<int>{1, 6, 11, 3, 8, 10}}}) {
    const int rate = 22050;
    std::vector<float> samples;
    for (const int s : semitones) {
      const double hz = 261.63 * std::pow(2.0, s / 12.0);
      for (int i = 0; i < rate / 2; ++i) samples.push_back(static_cast<float>(0.3 * std::sin(2 * M_PI * hz * i / rate)));
    }
    audio::write_wav(file, torch::from_blob(samples.data(), {static_cast<int64_t>(samples.size())}).clone(), rate);
  }
  const auto same = test::run_command(cli() + " notes " + a + " " + a + " --json " + (dir / "same.json").string());
  ASSERT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("pitch agreement 100.0%"), std::string::npos) << same.output;
  const auto j = nlohmann::json::parse(read_file(dir / "same.json"));
  EXPECT_DOUBLE_EQ(j.at("pitch_agreement").get<double>(), 1.0);
  EXPECT_GT(j.at("frames").get<int64_t>(), 0);
  const auto other = test::run_command(cli() + " notes " + a + " " + b + " --json " + (dir / "other.json").string());
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_LT(nlohmann::json::parse(read_file(dir / "other.json")).at("pitch_agreement").get<double>(), 0.2);
  const auto missing = test::run_command(cli() + " notes " + a + " " + (dir / "none.wav").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.exit_code, 2) << missing.output;
}

TEST(Cli, AChainOfOneAgentIsAUsageError) {
  const auto r = test::run_command(cli() + " chain --agents a --in x.wav --out-dir o");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--agents"), std::string::npos) << r.output;
}

TEST(Cli, MissingAudioFileGivesOneLineNamingItAndTheInputExitCode) {
  test::TempDir dir;
  const auto r = test::run_command(cli() + " mel " + (dir / "nope.wav").string() + " --out " + (dir / "x.npy").string());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("nope.wav"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(Cli, TextFileNamedWavIsRefusedAsInput) {
  test::TempDir dir;
  write_text(dir / "text.wav", "this is not audio\n");
  const auto r = test::run_command(cli() + " mel " + (dir / "text.wav").string() + " --out " + (dir / "x.npy").string());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.npy"));
}

TEST(Cli, UnknownPresetNamesTheAllowedOnes) {
  test::TempDir dir;
  write_sine_wav(dir / "s.wav", 1.0);
  const auto r = test::run_command(cli() + " mel " + (dir / "s.wav").string() + " --out " + (dir / "x.npy").string() +
                                   " --preset 3.0_99");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("2.0_128"), std::string::npos) << r.output;
}

TEST(Cli, SettingsOutOfRangeNameTheFieldAndTheFile) {
  test::TempDir dir;
  write_sine_wav(dir / "s.wav", 1.0);
  for (const std::string& bad : {"[mel]\nhop_length = 0\n", "[mel]\nwin_length = 4000\n", "[mel]\nfmax_hz = 30000.0\n",
                                 "[mel]\nhop_lenght = 10\n"}) {
    write_text(dir / "bad.toml", bad);
    const auto r = test::run_command(cli() + " mel " + (dir / "s.wav").string() + " --out " + (dir / "x.npy").string() +
                                     " --settings " + (dir / "bad.toml").string());
    EXPECT_EQ(r.exit_code, 3) << bad << r.output;
    EXPECT_NE(r.output.find("bad.toml"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("mel."), std::string::npos) << r.output;
  }
}

TEST(Cli, MelThenInvertRendersAudioOfTheExpectedLength) {
  test::TempDir dir;
  write_sine_wav(dir / "s.wav", 4.0);
  auto r = test::run_command(cli() + " mel " + (dir / "s.wav").string() + " --out " + (dir / "s.npy").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "s.npy.settings.toml"));
  r = test::run_command(cli() + " invert " + (dir / "s.npy").string() + " --out " + (dir / "back.wav").string() +
                        " --iterations 4 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Two 2-s snippets, each trimmed a little at its zero crossings, minus one crossfade.
  const auto size = std::filesystem::file_size(dir / "back.wav");
  EXPECT_GT(size, 44u + 2u * 44100u * 3u);
  EXPECT_LT(size, 44u + 2u * 44100u * 4u + 1000u);
}

TEST(Cli, InvertRefusesAnArrayOfTheWrongShape) {
  test::TempDir dir;
  // A .npy of shape (3,) float32.
  std::string npy("\x93NUMPY\x01\x00", 8);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  header.append(128 - 10 - header.size() - 1, ' ');  // magic, version and length take 10 bytes
  header += '\n';
  npy += static_cast<char>(header.size());
  npy += '\0';
  npy += header;
  npy.append(12, '\0');
  write_text(dir / "bad.npy", npy);
  const auto r = test::run_command(cli() + " invert " + (dir / "bad.npy").string() + " --out " + (dir / "x.wav").string());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("expected (snippets, 128, frames)"), std::string::npos) << r.output;
}

TEST(Cli, BadOptionIsAUsageError) {
  const auto r = test::run_command(cli() + " mel --no-such-option");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(Cli, AnUnknownDeviceIsAUsageErrorForEveryCommandThatTakesOne) {
  for (const char* command : {"converse --session s --agents a b", "demo --corpus c --out o",
                              "agent new --agent a --corpus c", "chain --agents a b --in x.wav --out-dir o"}) {
    const auto r = test::run_command(cli() + " " + command + " --device tpu");
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find("tpu"), std::string::npos) << r.output;
  }
}

/// A tiny agent made through the CLI: 0.25-s snippets, small models, five tones and a 0.2-s blip
/// (ingested last, so it is song 5).
class CliAgent : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    write_text(*dir_ / "tiny.toml",
               std::string("name = \"Tiny\"\n") + test::kTinyAgentToml);
    std::filesystem::create_directories(*dir_ / "corpus");
    for (int i = 0; i < 5; ++i) {
      write_sine_wav(*dir_ / "corpus" / ("t" + std::to_string(i) + ".wav"), 2.0 + 0.25 * i, 44100, 220.0 + 70.0 * i);
    }
    write_sine_wav(*dir_ / "blip.wav", 0.2, 44100, 880.0);
    ingest_ = test::run_command(cli() + " ingest --agent " + agent() + " --settings " + (*dir_ / "tiny.toml").string() +
                                " " + (*dir_ / "corpus").string());
    if (ingest_.exit_code == 0) ingest_ = test::run_command(cli() + " ingest --agent " + agent() + " " + (*dir_ / "blip.wav").string());
    if (ingest_.exit_code == 0) train_ = test::run_command(cli() + " train --agent " + agent() + " --stage all");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(ingest_.exit_code, 0) << ingest_.output;
    ASSERT_EQ(train_.exit_code, 0) << train_.output;
  }
  static std::string agent() { return (*dir_ / "agent").string(); }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }

  static test::TempDir* dir_;
  static test::CommandResult ingest_, train_;
};
test::TempDir* CliAgent::dir_ = nullptr;
test::CommandResult CliAgent::ingest_{-1, {}};
test::CommandResult CliAgent::train_{-1, {}};

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST_F(CliAgent, TrainAllTrainsMl1ThenOrdersThenMl2) {
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "agent" / "ml1.ckpt"));
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "agent" / "orders.bin"));
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "agent" / "ml2.ckpt"));
  EXPECT_NE(train_.output.find("ML2 trained, 1 epochs"), std::string::npos) << train_.output;
}

TEST_F(CliAgent, EvaluatePrintsEachRecordingAndTheVoiceAloneAndWritesJson) {
  const auto r = test::run_command(cli() + " evaluate --agent " + agent() + " " + path("corpus") + " --json " +
                                   path("evaluate.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("t3.wav"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("voice alone"), std::string::npos) << r.output;
  const auto j = read_json(path("evaluate.json"));
  ASSERT_EQ(j.at("recordings").size(), 5u);
  // The voice alone renders what was heard: far closer to it than to the other recordings.
  EXPECT_GT(j.at("voice_only").at("envelope_ratio").get<double>(), 2.0) << j.dump();
  EXPECT_LT(j.at("voice_only").at("envelope_db").get<double>(), j.at("answer").at("envelope_db").get<double>() + 1e-9);
  // The notes kept, per recording and overall, with the chance level of an answer to another recording.
  EXPECT_NE(r.output.find("chance"), std::string::npos) << r.output;
  for (const auto& figures : {j.at("notes"), j.at("recordings")[0].at("notes")}) {
    for (const char* which : {"answer", "voice_only", "chance"}) {
      const double agreement = figures.at(which).at("pitch_agreement").get<double>();
      EXPECT_GE(agreement, 0.0) << which;
      EXPECT_LE(agreement, 1.0) << which;
      EXPECT_TRUE(figures.at(which).at("chroma_similarity").is_number()) << which;
      EXPECT_GT(figures.at(which).at("frames").get<int64_t>(), 0) << which;
    }
    EXPECT_TRUE(figures.contains("notes_kept"));
  }
}

TEST_F(CliAgent, ChainWritesEveryPassAndTheCurveOfNotesKept) {
  const auto r = test::run_command(cli() + " chain --agents " + agent() + " " + agent() + " --in " +
                                   path("corpus/t3.wav") + " --passes 3 --out-dir " + path("chain") + " --seed 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("half of pass 1's"), std::string::npos) << r.output;
  const auto j = read_json(path("chain/chain.json"));
  ASSERT_EQ(j.at("passes").size(), 3u);
  for (const auto& p : j.at("passes")) {
    EXPECT_TRUE(std::filesystem::exists(*dir_ / "chain" / p.at("wav").get<std::string>())) << p.dump();
    EXPECT_TRUE(p.at("original").contains("pitch_agreement")) << p.dump();
    EXPECT_TRUE(p.at("previous").contains("onset_correlation")) << p.dump();
  }
  EXPECT_EQ(j.at("passes")[0].at("wav"), "pass_01_Tiny.wav");
  EXPECT_TRUE(j.contains("half_pass"));
  const auto sidecar = read_json(path("chain/pass_02_Tiny.json"));
  EXPECT_EQ(sidecar.at("heard"), path("chain/pass_01_Tiny.wav"));
  EXPECT_EQ(sidecar.at("chain_pass"), 2);
}

TEST_F(CliAgent, AChainKeptInASessionTakesTheNextFreeFolderAndAppearsInItsReport) {
  std::filesystem::create_directories(*dir_ / "session");
  for (const char* folder : {"chain_01", "chain_02"}) {
    const auto r = test::run_command(cli() + " chain --agents " + agent() + " " + agent() + " --in " +
                                     path("corpus/t3.wav") + " --passes 2 --session " + path("session") + " --seed 2");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(std::filesystem::exists(*dir_ / "session/chains" / folder / "chain.json")) << folder;
  }
  const auto r = test::run_command(cli() + " report --session " + path("session"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto page = file_bytes(path("session/report/index.html"));
  EXPECT_NE(page.find("chain-chart-chain_02"), std::string::npos);
  const auto both = test::run_command(cli() + " chain --agents " + agent() + " " + agent() + " --in " +
                                      path("corpus/t3.wav") + " --session " + path("session") + " --out-dir o");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  const auto neither = test::run_command(cli() + " chain --agents " + agent() + " " + agent() + " --in " +
                                         path("corpus/t3.wav"));
  EXPECT_EQ(neither.exit_code, 2) << neither.output;
}

TEST_F(CliAgent, ComposeWithTheSameSeedWritesTheSameBytesAndASidecar) {
  for (const char* name : {"c1.wav", "c2.wav"}) {
    const auto r = test::run_command(cli() + " compose --agent " + agent() + " --out " + path(name) +
                                     " --seconds 1.5 --seed 8");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(file_bytes(path("c1.wav")), file_bytes(path("c2.wav")));
  const auto j = read_json(path("c1.json"));
  EXPECT_EQ(j.at("kind"), "machine");
  EXPECT_EQ(j.at("seed"), 8);
  EXPECT_EQ(j.at("latents").size(), 6u);  // 1.5 s of 0.25-s snippets
  EXPECT_EQ(j.at("ml2_version").get<std::string>().size(), 16u);
  EXPECT_EQ(j.at("ml1_version").get<std::string>().size(), 16u);
  EXPECT_GT(j.at("duration_s").get<double>(), 1.0);
}

TEST_F(CliAgent, ListenAnswersWithTheSameBytesForTheSameSeedAndASongSidecar) {
  for (const char* name : {"l1.wav", "l2.wav"}) {
    const auto r = test::run_command(cli() + " listen --agent " + agent() + " --in " + path("corpus/t2.wav") +
                                     " --out " + path(name) + " --variation 0.2 --seed 5");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(file_bytes(path("l1.wav")), file_bytes(path("l2.wav")));
  EXPECT_EQ(file_bytes(path("l1.json")), file_bytes(path("l2.json")));
  const auto j = read_json(path("l1.json"));
  EXPECT_EQ(j.at("variation_sigma").get<double>(), 0.2);
  EXPECT_EQ(j.at("latents").size(), j.at("snippets").get<size_t>());
  EXPECT_GT(j.at("duration_s").get<double>(), 2.0);
  // Latents in the one song format: six decimals, as the conversation writes them.
  const double v = j.at("latents")[0][0].get<double>();
  EXPECT_DOUBLE_EQ(v, std::round(v * 1e6) / 1e6);
}

TEST_F(CliAgent, SingsASongShorterThanTheWindowWhole) {
  const auto r = test::run_command(cli() + " sing --agent " + agent() + " --song 5 --from 20 --to 40 --out " +
                                   path("blip_sung.wav"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = read_json(path("blip_sung.json"));
  EXPECT_EQ(j.at("kind"), "imitation");
  EXPECT_EQ(j.at("song_id"), 5);
  EXPECT_TRUE(j.at("whole_song").get<bool>());
  EXPECT_EQ(j.at("latents").size(), 1u);
  EXPECT_GT(j.at("duration_s").get<double>(), 0.1);  // sung, not silence
}

TEST_F(CliAgent, InterpolateWritesOneSongPerStep) {
  const auto r = test::run_command(cli() + " interpolate --agent " + agent() + " --songs 0 1 --steps 3 --out-dir " +
                                   path("between"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int i = 0; i < 3; ++i) {
    const auto wav = *dir_ / "between" / ("interpolation-0" + std::to_string(i) + ".wav");
    EXPECT_TRUE(std::filesystem::exists(wav)) << wav;
    EXPECT_EQ(read_json((*dir_ / "between" / ("interpolation-0" + std::to_string(i) + ".json")).string()).at("step"), i);
  }
}

TEST_F(CliAgent, MotionPrintsHumanAndMachineFiguresAndTheirRatios) {
  const auto r = test::run_command(cli() + " motion --agent " + agent() + " --songs 3 --seed 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* row : {"\nstep ", "\nspread ", "\nvariety ", "\nnearest ", "\nclosest pair "}) {
    EXPECT_NE(r.output.find(row), std::string::npos) << row << "\n" << r.output;
  }
  const auto j = test::run_command(cli() + " motion --agent " + agent() + " --songs 3 --seed 2 --json");
  ASSERT_EQ(j.exit_code, 0) << j.output;
  const auto figures = nlohmann::json::parse(j.output);
  EXPECT_EQ(figures.at("machine").at("songs"), 3);
  EXPECT_TRUE(figures.at("ratio").at("step").is_number()) << j.output;
  EXPECT_EQ(test::run_command(cli() + " motion --agent " + agent() + " --songs 0").exit_code, 2);
}

TEST_F(CliAgent, AnUnknownSongIsADatasetErrorOnOneLine) {
  const auto r = test::run_command(cli() + " sing --agent " + agent() + " --song 99 --out " + path("x.wav"));
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST_F(CliAgent, ACorruptOrdersFileIsADatasetErrorNamingIt) {
  const auto copy = *dir_ / "corrupt-orders";
  std::filesystem::copy(*dir_ / "agent", copy, std::filesystem::copy_options::recursive);
  std::fstream f(copy / "orders.bin", std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(copy / "orders.bin") / 2));
  f.put('\x7f');
  f.put('\x7f');
  f.close();
  const auto r = test::run_command(cli() + " sing --agent " + copy.string() + " --song 0 --out " + path("y.wav"));
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_NE(r.output.find("orders.bin"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST_F(CliAgent, ComposingWithoutMl2IsACheckpointErrorOnOneLine) {
  const auto copy = *dir_ / "no-ml2";
  std::filesystem::copy(*dir_ / "agent", copy, std::filesystem::copy_options::recursive);
  std::filesystem::remove(copy / "ml2.ckpt");
  const auto r = test::run_command(cli() + " compose --agent " + copy.string() + " --out " + path("z.wav"));
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_NE(r.output.find("ml2"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(std::filesystem::exists(path("z.wav")));
}

}  // namespace
}  // namespace mh
