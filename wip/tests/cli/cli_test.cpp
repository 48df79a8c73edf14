#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "support/paths.hpp"

namespace mh {
namespace {

std::string cli() { return test::cli_path().string(); }

void write_text(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A 3-s 440 Hz sine at 44.1 kHz as a 16-bit WAV, made with the CLI's own path (mel → invert
/// would need a sine file first, so write the header by hand).
void write_sine_wav(const std::filesystem::path& p, double seconds, int rate = 44100) {
  const int n = static_cast<int>(seconds * rate);
  std::ofstream f(p, std::ios::binary);
  auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  f.write("RIFF", 4); u32(36 + n * 2); f.write("WAVEfmt ", 8); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2);
  u16(2); u16(16); f.write("data", 4); u32(n * 2);
  for (int i = 0; i < n; ++i) u16(static_cast<uint16_t>(static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440.0 * i / rate))));
}

TEST(Cli, HelpListsEveryCommand) {
  const auto r = test::run_command(cli() + " --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"mel", "invert", "ingest", "train", "listen", "encode", "demo"}) {
    EXPECT_NE(r.output.find(command), std::string::npos) << command;
  }
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
  header.append(64 - 10 - header.size() - 1, ' ');
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

}  // namespace
}  // namespace mh
