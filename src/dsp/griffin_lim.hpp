#pragma once
/// Fast Griffin-Lim (Perraudin et al. 2013) with librosa's conventions: centred frames with zero
/// (constant) padding, periodic Hann window, momentum update
///   angles = rebuilt − m/(1+m)·previous rebuilt,  angles /= |angles| + tiny,
/// batched over snippets. Runs on the magnitude's device; on the CPU the snippets are shared out
/// over LibTorch's intra-op threads, each snippet's transforms staying in cache.
#include <torch/torch.h>

#include "dsp/inversion_settings.hpp"
#include "dsp/stft.hpp"

namespace mh::dsp {

class GriffinLim {
 public:
  /// Uses griffin_lim_iterations, momentum and init of `settings`. Throws SettingsError if
  /// either settings struct is invalid.
  GriffinLim(const StftSettings& stft, const InversionSettings& settings);

  /// magnitude: linear STFT magnitude [N, n_freqs, frames] or [n_freqs, frames], any float
  /// dtype, any device. Returns float32 audio [N, length] (or [length]) on the same device.
  /// length < 0 gives the inverse STFT's natural length, (frames−1)·hop centred, else length
  /// must give back the same number of frames (StftSettings::n_frames(length) == frames).
  /// `gen` draws the initial phase for Init::kRandom (on the generator's device, so a CPU
  /// generator gives the same phases for any tensor device); it is not used for Init::kZero.
  /// Same generator state ⇒ identical output. Throws ShapeError on a wrong shape or length.
  torch::Tensor operator()(const torch::Tensor& magnitude, torch::Generator& gen, int64_t length = -1) const;

  const StftSettings& stft() const { return stft_; }

 private:
  StftSettings stft_;
  InversionSettings settings_;
};

}  // namespace mh::dsp
