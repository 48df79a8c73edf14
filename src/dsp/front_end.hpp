#pragma once
/// The mel front end: snippets of audio → mel power → dB → [0, 1], with librosa's arithmetic
/// (ref: librosa.feature.melspectrogram with center=True, pad_mode='constant', power=2, then
/// librosa.power_to_db per snippet) and the original's fixed dB map.
///
/// Configured once (settings checked, filterbank, window and FFT plan prepared); calls only do
/// arithmetic. On the CPU each frame is windowed, transformed by an FFTW real FFT, reduced by the
/// filterbank as a banded product (every mel band covers one contiguous bin range) and turned into
/// dB in one pass, frames shared out over as many plain threads as LibTorch's intra-op setting
/// (core/parallel.hpp); the per-snippet top_db floor and the map onto [0, 1] follow in place.
/// Tensors on another device go through torch::stft and a dense product on that device.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "dsp/mel_settings.hpp"
#include "dsp/stft.hpp"

namespace mh::dsp {

class MelFrontEnd {
 public:
  /// Throws SettingsError (from settings.validate()).
  explicit MelFrontEnd(const MelSettings& settings);
  /// As the constructor but accepts fmax_hz above the Nyquist frequency: the bands beyond it are
  /// empty (all-zero power, the floor in dB), as librosa does with a warning. For reproducing
  /// reference data; everything else is checked as validate() does.
  static MelFrontEnd allowing_bands_above_nyquist(const MelSettings& settings);

  /// snippets: [N, samples] float → mel power [N, n_mels, frames] float32 on the input's device,
  /// frames = settings().stft.n_frames(samples). Throws ShapeError for another rank.
  torch::Tensor power(const torch::Tensor& snippets) const;
  /// power_to_db(power(snippets), 1, amin, top_db) with top_db's max per snippet (no floor when
  /// top_db <= 0): [N, n_mels, frames] dB.
  torch::Tensor db(const torch::Tensor& snippets) const;
  /// normalise_db(db(snippets), db_floor, db_ceiling) clipped to [0, 1] (the clip never acts with
  /// the default settings and signals within [-1, 1]): [N, n_mels, frames] float32.
  torch::Tensor normalised(const torch::Tensor& snippets) const;

  /// float32 [n_mels, n_fft/2+1]: mel_filterbank(...) of the settings cast to float32.
  const torch::Tensor& filterbank() const { return filterbank_; }
  const MelSettings& settings() const { return settings_; }

 private:
  MelFrontEnd(const MelSettings& settings, bool allow_bands_above_nyquist);
  enum class Output { kPower, kDb, kNormalised };
  // The CPU route for all three: one pass per frame (window, FFT, |X|², bands, dB), then the
  // per-snippet floor and the map onto [0, 1] in place.
  torch::Tensor frames_cpu(const torch::Tensor& snippets, Output output) const;
  torch::Tensor db_from_power(torch::Tensor power) const;

  MelSettings settings_;
  torch::Tensor filterbank_;               // float32 [n_mels, n_freqs]
  std::vector<float> window_;              // [n_fft]
  std::vector<float> band_weights_;        // the non-zero run of every band, bands one after another
  std::vector<int64_t> band_first_;        // first bin of every band
  std::vector<int64_t> band_count_;        // bins of every band
  std::vector<int64_t> band_offset_;       // start of every band in band_weights_
  int64_t bins_used_ = 0;                  // bins [0, bins_used_) feed some band
  std::shared_ptr<const RealFft> fft_;     // shared by copies of the front end
};

/// Mel power by the plain route on any device: stft() (torch::stft), |X|², then the dense
/// product filterbank · |X|². snippets: [N, samples] → [N, n_mels, frames] float32. The
/// reference the fast CPU path is tested against, and the path for GPU tensors.
torch::Tensor mel_power_dense(const torch::Tensor& snippets, const StftSettings& stft_settings,
                              const torch::Tensor& filterbank);

/// A recording as the front end cuts it (snippets_from).
struct RecordingSnippets {
  int64_t kept_samples = 0;  ///< samples left after silence removal
  torch::Tensor audio;       ///< [N, snippet_samples] float32: the kept samples cut, the last zero-padded
  torch::Tensor mel;         ///< [N, n_mels, frames()] float32 in [0, 1]
};

struct SnippetsFromOptions {
  bool remove_silence = true;  ///< false: every sample is cut, silent or not
  int64_t mel_batch = 0;       ///< > 0: at most this many snippets per front-end call (bounds memory)
};

/// The whole front end on one recording, the one route every caller takes: remove_silence
/// (window settings.snippet.silence_window_samples, rounded, and its threshold), cut_snippets,
/// then front_end.normalised. signal: [samples] at settings.mel's rate. N = 0 when nothing is
/// left. front_end must have been built from settings.mel; throws SettingsError when its sample
/// rate, STFT or bands differ, ShapeError unless the signal is 1-D.
RecordingSnippets snippets_from(const torch::Tensor& signal, const FrontEndSettings& settings,
                                const MelFrontEnd& front_end, const SnippetsFromOptions& options = {});

/// snippets_from(signal, settings, front_end).mel: [samples] → [N, n_mels, frames()].
torch::Tensor mel_snippets(const torch::Tensor& signal, const FrontEndSettings& settings,
                           const MelFrontEnd& front_end);

}  // namespace mh::dsp
