#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.hpp"
#include "dsp/join.hpp"
#include "dsp/notes.hpp"

namespace mh::dsp {
namespace {

constexpr double kRate = kNoteRateHz;

// A harmonic tone (partials 1/k in amplitude, so the fundamental's pitch class is the loudest)
// of `seconds` at `hz`, with 5-ms fades so that it starts and ends without clicks.
torch::Tensor harmonic_tone(double hz, double seconds, double phase0 = 0) {
  const auto t = torch::arange(static_cast<int64_t>(seconds * kRate), torch::kFloat64) / kRate;
  auto x = torch::zeros_like(t);
  for (int k = 1; k <= 4; ++k) x += torch::sin(2 * M_PI * k * hz * t + phase0 * k) / k;
  const auto fade = torch::clamp(torch::minimum(t, t.max() - t) / 0.005, 0, 1);
  return (0.2 * x * fade).to(torch::kFloat32);
}

double semitones_up(double hz, int n) { return hz * std::pow(2.0, n / 12.0); }

// Notes one after another, each `note_s` long.
torch::Tensor melody(const std::vector<double>& hz, double note_s) {
  std::vector<torch::Tensor> notes;
  for (size_t i = 0; i < hz.size(); ++i) notes.push_back(harmonic_tone(hz[i], note_s, 0.7 * static_cast<double>(i)));
  return torch::cat(notes);
}

// Pitches of a tune over the white keys (C D E G A around A3–A4) and one over the black keys
// only: they share no pitch class.
std::vector<double> white_tune(int notes) {
  const int steps[] = {0, 2, 4, 7, 9, 7, 4, 2, 12, 9, 4, 0, 7, 2, 9, 4};  // semitones above C4
  std::vector<double> hz;
  for (int i = 0; i < notes; ++i) hz.push_back(semitones_up(261.63, steps[i % 16]));
  return hz;
}
std::vector<double> black_tune(int notes) {
  const int steps[] = {1, 3, 6, 8, 10, 8, 6, 3, 13, 10, 6, 1, 8, 3, 10, 6};
  std::vector<double> hz;
  for (int i = 0; i < notes; ++i) hz.push_back(semitones_up(261.63, steps[(i + 5) % 16]));
  return hz;
}

// The signal with 30 ms dropped every 2 s and the pieces joined with a 10-ms crossfade, as the
// voice's trims and joins shorten an answer.
torch::Tensor drifting_copy(const torch::Tensor& x) {
  const auto every = static_cast<int64_t>(2.0 * kRate), drop = static_cast<int64_t>(0.03 * kRate);
  std::vector<torch::Tensor> kept;
  for (int64_t a = 0; a < x.size(0); a += every) kept.push_back(x.slice(0, a, std::min(x.size(0), a + every - drop)));
  return crossfade_join(kept, static_cast<int64_t>(0.01 * kRate));
}

// Short decaying noise bursts at irregular times (so that no lag but the true one lines them up).
torch::Tensor pulse_train(double seconds, double delay_s = 0) {
  const auto n = static_cast<int64_t>(seconds * kRate);
  auto x = torch::zeros({n}, torch::kFloat32);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  const auto burst_len = static_cast<int64_t>(0.04 * kRate);
  const auto burst = torch::randn({burst_len}, gen) * torch::exp(-torch::arange(burst_len) / (0.008 * kRate)) * 0.3;
  const double gaps[] = {0.31, 0.47, 0.23, 0.61, 0.37, 0.29, 0.53, 0.41};
  double at = 0.2 + delay_s;
  for (int i = 0; at * kRate + burst_len < n; ++i) {
    const auto start = static_cast<int64_t>(at * kRate);
    x.slice(0, start, start + burst_len) += burst;
    at += gaps[i % 8];
  }
  return x;
}

TEST(Notes, AToneAgainstItselfAgreesEverywhere) {
  const auto tone = harmonic_tone(220.0, 3.0);
  const auto f = compare_notes(tone, tone);
  EXPECT_GT(f.frames, 100);
  EXPECT_DOUBLE_EQ(f.pitch_agreement, 1.0);
  EXPECT_NEAR(f.chroma_similarity, 1.0, 1e-9);
}

TEST(Notes, AToneASemitoneUpAgreesNowhere) {
  const auto f = compare_notes(harmonic_tone(220.0, 3.0), harmonic_tone(semitones_up(220.0, 1), 3.0));
  EXPECT_GT(f.frames, 100);
  EXPECT_DOUBLE_EQ(f.pitch_agreement, 0.0);
  EXPECT_LT(f.chroma_similarity, 0.5);
}

TEST(Notes, TheFeaturesGiveTheFundamentalsPitchClass) {
  const auto f = note_features(harmonic_tone(220.0, 1.0));  // A3
  const auto middle = f.chroma[f.frames() / 2];
  EXPECT_EQ(middle.argmax().item<int64_t>(), 9);
  EXPECT_EQ(f.frames(), 1 + static_cast<int64_t>(kRate) / 512);
}

TEST(Notes, APulseTrainAgainstItsDelayedCopyCorrelatesOnceAligned) {
  const auto heard = pulse_train(6.0);
  const auto late = pulse_train(6.0, 0.1);
  const auto f = compare_notes(heard, late);
  EXPECT_GT(f.onset_correlation, 0.9);
  // Without the search for the lag the onsets miss each other.
  NoteOptions fixed;
  fixed.search_s = 0;
  EXPECT_LT(compare_notes(heard, late, fixed).onset_correlation, 0.3);
}

TEST(Notes, AMelodyKeepsItsNotesThroughTheVoicesDrift) {
  const auto tune = melody(white_tune(24), 0.35);  // 8.4 s, 4 drops of 30 ms
  const auto drifted = drifting_copy(tune);
  ASSERT_LT(drifted.size(0), tune.size(0) - static_cast<int64_t>(0.1 * kRate));
  const auto f = compare_notes(tune, drifted);
  EXPECT_GT(f.pitch_agreement, 0.9);
  EXPECT_GT(f.chroma_similarity, 0.9);
  EXPECT_GT(f.onset_correlation, 0.7);  // the joins' crossfades add a little flux of their own
}

TEST(Notes, AMelodyAgainstAnotherMelodyAgreesLittle) {
  const auto f = compare_notes(melody(white_tune(24), 0.35), melody(black_tune(24), 0.35));
  EXPECT_GT(f.frames, 100);
  EXPECT_LT(f.pitch_agreement, 0.1);
  EXPECT_LT(f.chroma_similarity, 0.5);
}

TEST(Notes, SilenceAndEmptyInputCountNoFrames) {
  const auto tone = harmonic_tone(220.0, 1.0);
  const std::vector<std::pair<torch::Tensor, torch::Tensor>> cases{
      {torch::zeros({22050}), tone}, {torch::zeros({0}), tone}, {tone, torch::zeros({0})}, {torch::zeros({1}), tone}};
  for (const auto& [heard, answer] : cases) {
    const auto f = compare_notes(heard, answer);
    EXPECT_EQ(f.frames, 0);
    EXPECT_TRUE(std::isnan(f.pitch_agreement));
    EXPECT_TRUE(std::isnan(f.chroma_similarity));
    EXPECT_TRUE(std::isnan(f.onset_correlation));
    EXPECT_TRUE(f.to_json().at("pitch_agreement").is_null());
  }
  // A few samples are one frame: counted, compared, no correlation from one pair.
  const auto f = compare_notes(tone.slice(0, 0, 100), tone.slice(0, 0, 100));
  EXPECT_EQ(f.frames, 1);
  EXPECT_TRUE(std::isnan(f.onset_correlation));
}

TEST(Notes, ASignalThatIsNotMonoIsAShapeError) {
  EXPECT_THROW(note_features(torch::zeros({2, 100})), ShapeError);
  NoteFeatures broken;
  broken.chroma = torch::zeros({3, 11}, torch::kFloat64);
  EXPECT_THROW(compare_notes(broken, broken), ShapeError);
}

TEST(Notes, OptionsOutOfRangeAreSettingsErrorsNamingTheField) {
  NoteOptions o;
  o.high_hz = 20000;
  try {
    note_features(torch::zeros({100}), o);
    FAIL() << "no error";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("notes.high_hz"), std::string::npos) << e.what();
  }
}

TEST(Notes, PoolingWeighsByFramesAndSkipsEmptyParts) {
  NoteFigures a, b, empty;
  a.pitch_agreement = 1.0;
  a.chroma_similarity = 1.0;
  a.onset_correlation = 0.5;
  a.frames = 30;
  b.pitch_agreement = 0.0;
  b.chroma_similarity = 0.6;
  b.frames = 10;  // onset NaN: left out of the correlation
  const auto p = pool({a, b, empty});
  EXPECT_EQ(p.frames, 40);
  EXPECT_DOUBLE_EQ(p.pitch_agreement, 0.75);
  EXPECT_DOUBLE_EQ(p.chroma_similarity, 0.9);
  EXPECT_DOUBLE_EQ(p.onset_correlation, 0.5);
  EXPECT_TRUE(std::isnan(pool({}).pitch_agreement));
}

TEST(Notes, NotesKeptScalesFromChanceToTheVoice) {
  EXPECT_DOUBLE_EQ(notes_kept(0.6, 0.2, 1.0), 0.5);
  EXPECT_DOUBLE_EQ(notes_kept(0.2, 0.2, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(notes_kept(1.0, 0.2, 1.0), 1.0);
  EXPECT_TRUE(std::isnan(notes_kept(0.6, 0.5, 0.5)));
  EXPECT_TRUE(std::isnan(notes_kept(0.6, 0.7, 0.5)));
  EXPECT_TRUE(std::isnan(notes_kept(0.6, NoteFigures::kNaN, 0.9)));
}

}  // namespace
}  // namespace mh::dsp
