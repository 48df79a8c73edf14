#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "dsp/front_end.hpp"
#include "dsp/snippets.hpp"

namespace mh::dsp {
namespace {

/// 1 s of tone, 0.1 s of silence, 1 s of tone.
torch::Tensor tone_gap_tone(int sr) {
  const auto t = torch::arange(sr, torch::kFloat32) / static_cast<float>(sr);
  const auto tone = 0.5 * torch::sin(2 * M_PI * 440.0 * t);
  return torch::cat({tone, torch::zeros({sr / 10}), tone});
}

/// 0.25-s snippets and a silence window of 0.1 s plus 0.6 samples: truncated, the window covers
/// the gap exactly and drops it; rounded, it is a sample longer, reaches the tone and keeps it.
FrontEndSettings fractional_window_settings() {
  auto s = front_end_preset("0.25_16");
  s.snippet.silence_window_seconds = 0.1 + 0.6 / s.mel.sample_rate_hz;
  return s;
}

TEST(SnippetsFrom, RoundsTheSilenceWindowAsTheSettingsSay) {
  const auto s = fractional_window_settings();
  const int sr = s.mel.sample_rate_hz;
  const auto x = tone_gap_tone(sr);
  const auto rounded = remove_silence(x, std::llround(s.snippet.silence_window_seconds * sr),
                                      s.snippet.silence_threshold_dbfs);
  const auto truncated = remove_silence(x, static_cast<int64_t>(s.snippet.silence_window_seconds * sr),
                                        s.snippet.silence_threshold_dbfs);
  ASSERT_NE(rounded.numel(), truncated.numel());  // the case tells the two apart
  const auto cut = snippets_from(x, s, MelFrontEnd(s.mel));
  EXPECT_EQ(cut.kept_samples, rounded.numel());
  EXPECT_TRUE(torch::equal(cut.audio, cut_snippets(rounded, s.snippet.snippet_samples(sr))));
  EXPECT_TRUE(torch::equal(cut.mel, MelFrontEnd(s.mel).normalised(cut.audio)));
}

TEST(SnippetsFrom, GivesTheSameSnippetsInBatchesAsAtOnce) {
  const auto s = fractional_window_settings();
  const MelFrontEnd fe(s.mel);
  const auto x = tone_gap_tone(s.mel.sample_rate_hz);
  const auto whole = snippets_from(x, s, fe);
  const auto batched = snippets_from(x, s, fe, {true, 3});
  ASSERT_GT(whole.mel.size(0), 3);
  EXPECT_TRUE(torch::equal(whole.mel, batched.mel));
  EXPECT_TRUE(torch::equal(whole.mel, mel_snippets(x, s, fe)));
}

TEST(SnippetsFrom, KeepsEverySampleWhenSilenceIsKept) {
  const auto s = fractional_window_settings();
  const auto x = tone_gap_tone(s.mel.sample_rate_hz);
  const auto cut = snippets_from(x, s, MelFrontEnd(s.mel), {false});
  EXPECT_EQ(cut.kept_samples, x.numel());
  EXPECT_EQ(cut.audio.size(0), 9);  // 2.1 s of 0.25-s snippets
}

TEST(SnippetsFrom, ASilentRecordingGivesNoSnippets) {
  const auto s = fractional_window_settings();
  const auto cut = snippets_from(torch::zeros({s.mel.sample_rate_hz}), s, MelFrontEnd(s.mel), {true, 2});
  EXPECT_EQ(cut.kept_samples, 0);
  EXPECT_EQ(cut.mel.size(0), 0);
  EXPECT_EQ(cut.mel.size(1), s.mel.n_mels);
}

TEST(SnippetsFrom, RefusesAFrontEndBuiltFromOtherMelSettings) {
  const auto s = fractional_window_settings();
  auto other = s.mel;
  other.n_mels = 64;
  EXPECT_THROW(snippets_from(torch::zeros({100}), s, MelFrontEnd(other)), SettingsError);
}

}  // namespace
}  // namespace mh::dsp
