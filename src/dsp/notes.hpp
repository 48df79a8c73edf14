#pragma once
/// Which notes an answer keeps of what was heard, measured on the audio (docs/notes.md). The mel
/// distances of dsp/listening.hpp are blind to pitch at the resolution that tells notes apart;
/// these figures look at the pitch classes (chroma) and the onsets instead.
///
/// Both signals are mono at kNoteRateHz (the caller resamples; dsp does not depend on audio).
/// Each is analysed with a Hann STFT of n_fft 4096, hop 512 (186 ms / 23.2 ms): chroma = each
/// bin's power between 65 Hz and 2100 Hz added to its pitch class; onset envelope = the spectral
/// flux, half-wave rectified, of the compressed log magnitude log(1 + γ·|X|). The answer is aligned with what was heard
/// block by block (the voice trims a little at every snippet join, so the lag drifts): for each
/// block of 1.5 s of heard frames, the lag within ±0.5 s of the previous block's that maximises
/// chroma cosine similarity + onset-envelope correlation.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace mh::dsp {

/// The one sample rate the notes measure works at.
constexpr int kNoteRateHz = 22050;

struct NoteOptions {
  int n_fft = 4096;            ///< STFT size in samples at kNoteRateHz, [256, 65536]
  int hop_samples = 512;       ///< [1, n_fft]
  double low_hz = 65;          ///< lowest bin counted in the chroma (C2 is 65.4 Hz)
  double high_hz = 2100;       ///< highest bin counted in the chroma, <= Nyquist
  double block_s = 1.5;        ///< heard seconds aligned with one lag, > 0
  double search_s = 0.5;       ///< how far a block's lag may move from the previous block's, >= 0
  double floor_db = 40;        ///< frames counted: within this many dB of the loudest heard frame, > 0

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// What the measure keeps of one signal, per STFT frame.
struct NoteFeatures {
  torch::Tensor chroma;     ///< [frames, 12] float64 power per pitch class, 0 = C … 11 = B
  torch::Tensor onset;      ///< [frames] float64 spectral flux of the log magnitude, dB
  torch::Tensor energy_db;  ///< [frames] float64 frame power over all bins, dB (-inf for silence)
  int64_t frames() const { return chroma.defined() ? chroma.size(0) : 0; }
};

/// How closely an answer keeps the notes of what was heard. NaN where nothing can be said
/// (no counted frame; onset_correlation also when either envelope is flat).
struct NoteFigures {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double pitch_agreement = kNaN;    ///< share of counted frames with the same loudest pitch class
  double chroma_similarity = kNaN;  ///< mean cosine similarity of the aligned chroma vectors
  double onset_correlation = kNaN;  ///< Pearson correlation of the aligned onset envelopes
  int64_t frames = 0;               ///< counted heard frames that have an aligned answer frame
  nlohmann::json to_json() const;
};

/// signal: mono [samples] float at kNoteRateHz → its features; an empty signal has none.
/// Throws ShapeError when signal is not 1-D, SettingsError for invalid options.
NoteFeatures note_features(const torch::Tensor& signal, const NoteOptions& options = {});

/// The answer's figures against what was heard, from features made with the same options.
/// Heard frames beyond the answer's aligned end are not counted. Silence (no heard frame with
/// power) gives frames 0 and NaN figures.
NoteFigures compare_notes(const NoteFeatures& heard, const NoteFeatures& answer, const NoteOptions& options = {});

/// note_features of both, then compare_notes. Throws as note_features.
NoteFigures compare_notes(const torch::Tensor& heard, const torch::Tensor& answer, const NoteOptions& options = {});

/// Figures of several comparisons as one: agreement and similarity are means over all their
/// counted frames, the onset correlation a mean weighted by frames (NaN ones left out).
NoteFigures pool(const std::vector<NoteFigures>& parts);

/// The share of the notes an agent keeps: (agent − chance) / (voice − chance), where chance is
/// the figure of an answer to something else and voice the figure of the voice path alone. NaN
/// when voice <= chance or any figure is NaN.
double notes_kept(double agent, double chance, double voice);

}  // namespace mh::dsp
