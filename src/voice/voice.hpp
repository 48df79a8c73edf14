#pragma once
/// An agent's voice: latent points → ML1 decoder → normalised mel snippets → audio (mel
/// inversion + Griffin-Lim, batched over the whole song) → snippets trimmed at rising zero
/// crossings and joined with equal-power crossfades.
#include <torch/torch.h>

#include "dsp/inversion_settings.hpp"
#include "dsp/mel_settings.hpp"
#include "dsp/mel_to_audio.hpp"
#include "model/conv_vae.hpp"

namespace mh::voice {

class Voice {
 public:
  /// `decoder` is used in eval mode; it must decode to [n, 1, mel.n_mels, frames].
  Voice(model::ConvVae decoder, const dsp::MelSettings& mel, const dsp::InversionSettings& inversion,
        torch::Device device);

  /// latents [n, D] → normalised mel [n, n_mels, frames] on the CPU. Throws ShapeError.
  torch::Tensor mel(const torch::Tensor& latents) const;
  /// latents [n, D] → joined mono audio [samples] float32 on the CPU. n = 0 gives no samples.
  torch::Tensor sing(const torch::Tensor& latents, torch::Generator& gen) const;
  /// normalised mel [n, n_mels, frames] → joined mono audio.
  torch::Tensor render(const torch::Tensor& mel, torch::Generator& gen) const;
  /// render() with where each snippet lies in the song (dsp::SongAudio).
  dsp::SongAudio render_with_origins(const torch::Tensor& mel, torch::Generator& gen) const;

  int sample_rate_hz() const { return mel_.sample_rate_hz; }

 private:
  mutable model::ConvVae decoder_;  // decode() is not const in LibTorch's module API
  dsp::MelSettings mel_;
  dsp::MelToAudio to_audio_;
  torch::Device device_;
};

}  // namespace mh::voice
