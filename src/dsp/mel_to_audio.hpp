#pragma once
/// The voice path: normalised mel snippets → audio. Denormalise to dB, clip, back to power, invert
/// the mel filterbank (MelInversion), Griffin-Lim per snippet (batched), then trim each snippet to
/// its rising zero crossings and join them with equal-power crossfades.
#include <torch/torch.h>

#include "dsp/griffin_lim.hpp"
#include "dsp/inversion_settings.hpp"
#include "dsp/mel_inversion.hpp"
#include "dsp/mel_settings.hpp"

namespace mh::dsp {

/// A joined song and, per snippet, the sample of the song where the snippet's own sample 0
/// lies (before its trim; may be negative), so that the song can be cut back into snippets that
/// line up with the mel snippets it was rendered from.
struct SongAudio {
  torch::Tensor audio;
  std::vector<int64_t> origins;
};

class MelToAudio {
 public:
  /// Builds the filterbank and everything derived from it once. Throws SettingsError for invalid
  /// settings.
  MelToAudio(const MelSettings& mel, const InversionSettings& inversion, torch::Device device);

  /// normalised [N, n_mels, T] (or [N, 1, n_mels, T]) in [0, 1] → linear mel power
  /// [N, n_mels, T] float32 on the device: dB = x·(ceiling − floor) + floor, clipped to
  /// [db_floor, clip_db], power = 10^(dB/10). Throws ShapeError on a wrong shape.
  torch::Tensor mel_power(const torch::Tensor& normalised) const;

  /// Per-snippet audio [N, (T−1)·hop] float32 on the device, neither trimmed nor joined.
  /// `gen` draws Griffin-Lim's initial phases (Init::kRandom). Throws ShapeError on a wrong shape.
  torch::Tensor snippets(const torch::Tensor& normalised, torch::Generator& gen) const;

  /// The song: snippets trimmed to their rising zero crossings and crossfaded, [samples] float32
  /// on the device (empty for N = 0). Throws ShapeError on a wrong shape.
  torch::Tensor song(const torch::Tensor& normalised, torch::Generator& gen) const;
  /// song() with each snippet's origin in it.
  SongAudio song_with_origins(const torch::Tensor& normalised, torch::Generator& gen) const;

  const MelSettings& mel_settings() const { return mel_; }
  const InversionSettings& inversion_settings() const { return inversion_settings_; }

 private:
  MelSettings mel_;
  InversionSettings inversion_settings_;
  torch::Device device_;
  MelInversion inversion_;
  GriffinLim griffin_lim_;
};

}  // namespace mh::dsp
