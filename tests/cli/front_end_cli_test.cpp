#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "agent/agent.hpp"
#include "audio/write_wav.hpp"
#include "core/npy.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {

/// 1 s of tone, 0.1 s of silence, 1 s of tone at 44.1 kHz.
void write_gap_recording(const std::filesystem::path& p) {
  constexpr int kGapRate = 44100;
  const auto t = torch::arange(kGapRate, torch::kFloat32) / static_cast<float>(kGapRate);
  const auto tone = 0.5 * torch::sin(2 * M_PI * 440.0 * t);
  audio::write_wav(p, torch::cat({tone, torch::zeros({kGapRate / 10}), tone}), kGapRate);
}

// A silence window of 0.1 s and 0.6 samples: truncated to whole samples it drops the gap, rounded
// it keeps it, so the two commands cut alike only when they round alike.
TEST(FrontEndCli, MelCutsARecordingIntoTheSnippetsIngestStores) {
  test::TempDir dir;
  write_gap_recording(dir / "gap.wav");
  const std::string window = fmt::format("{:.12f}", 0.1 + 0.6 / 44100.0);
  std::ofstream(dir / "mel.toml") << "preset = \"0.25_16\"\n[snippet]\nsilence_window_seconds = " << window << "\n";
  std::ofstream(dir / "agent.toml") << "name = \"Gap\"\npreset = \"0.25_16\"\ndevice = \"cpu\"\n[snippet]\n"
                                    << "silence_window_seconds = " << window << "\n";
  const std::string cli = test::cli_path().string();
  auto r = test::run_command(cli + " mel " + (dir / "gap.wav").string() + " --out " + (dir / "gap.npy").string() +
                             " --settings " + (dir / "mel.toml").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = test::run_command(cli + " ingest --agent " + (dir / "agent").string() + " --settings " +
                        (dir / "agent.toml").string() + " " + (dir / "gap.wav").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto mel = read_npy(dir / "gap.npy");
  const auto a = agent::Agent::open(dir / "agent");
  const auto stored = a.dataset().read_song(0).squeeze(1);
  ASSERT_EQ(mel.size(0), 9) << "2.1 s kept, 0.25-s snippets";
  ASSERT_EQ(stored.sizes(), mel.sizes());
  // The store keeps 16-bit steps of [0, 1]: the two agree within one step.
  EXPECT_TRUE(torch::allclose(stored.to(torch::kFloat64), mel.to(torch::kFloat64), 0, 1.6e-5))
      << (stored - mel).abs().max().item<double>();
}

}  // namespace
}  // namespace mh
