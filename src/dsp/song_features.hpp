#pragma once
/// What a listener would call a song's sound, as a few numbers: its mean spectral shape (log-mel),
/// its pitch classes (chroma) and its pulse (onset strength and tempo). A crawl through a library
/// (corpus/crawl.hpp) measures how near two songs are with these (docs/crawl.md).
///
/// Signals are mono at kNoteRateHz (the caller resamples; dsp does not depend on audio).
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dsp/notes.hpp"

namespace mh::dsp {

/// Feature layout: kSongMelBands mean log-mel values, then 12 chroma shares, then onset strength
/// and log2 tempo.
constexpr int kSongMelBands = 40;
constexpr int kSongChromaDims = 12;
constexpr int kSongRhythmDims = 2;
constexpr int kSongFeatureDims = kSongMelBands + kSongChromaDims + kSongRhythmDims;

/// One group of feature dimensions [first, first + count) and the smallest difference in them a
/// listener would notice, below which a library's spread is not magnified by normalisation.
struct FeatureGroup {
  std::string name;
  int first = 0;
  int count = 0;
  double floor = 0;
};

/// The three groups: "mel" (dB, floor 1 dB), "chroma" (share of the frame's pitch-class power,
/// floor 0.01), "rhythm" (onset strength in dB per frame and log2 BPM, floor 0.1).
const std::vector<FeatureGroup>& song_feature_groups();

/// signal: mono [samples] float at kNoteRateHz → float64 [kSongFeatureDims].
///  - mel: Hann STFT of 2048 / hop 512, 40 Slaney mel bands from 30 Hz to 8 kHz, each frame in dB;
///    the mean over the frames within 60 dB of the loudest, in dB under its loudest band and
///    floored at -60 dB (so that the level does not count, only the shape).
///  - chroma: note_features' chroma, each frame scaled to sum 1, averaged over frames with power.
///  - rhythm: the mean of note_features' onset envelope, and log2 of the tempo in BPM, the lag in
///    40–200 BPM where the envelope's autocorrelation peaks; a signal without a pulse (flat
///    envelope, or a peak under 0.1 of the zero lag) gets 120 BPM, so that pulseless songs agree.
/// A silent or empty signal gives zeros (and log2 120 for the tempo). Throws ShapeError when
/// signal is not 1-D.
torch::Tensor song_features(const torch::Tensor& signal);

/// features: float64 [songs, kSongFeatureDims] → the same, normalised so that no group dominates:
/// each dimension minus its mean over the songs, divided by max(its standard deviation, the
/// group's floor), then each group divided by sqrt(its dimension count). The Euclidean distance
/// of two rows is then sqrt(Σ_groups mean over the group's dimensions of the squared
/// difference in standard deviations). colour_weight multiplies the mel group's term in that sum
/// (the mel dimensions are scaled by its square root). Throws ShapeError for another shape.
torch::Tensor normalise_song_features(const torch::Tensor& features, double colour_weight = 1);

}  // namespace mh::dsp
