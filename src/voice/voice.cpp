#include "voice/voice.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace mh::voice {

Voice::Voice(model::ConvVae decoder, const dsp::MelSettings& mel, const dsp::InversionSettings& inversion,
             torch::Device device)
    : decoder_(std::move(decoder)), mel_(mel), to_audio_(mel, inversion, device), device_(device) {
  decoder_->eval();
}

torch::Tensor Voice::mel(const torch::Tensor& latents) const {
  if (latents.dim() != 2) {
    throw ShapeError(fmt::format("voice: got latents of shape [{}], expected [n, latent_dim]", fmt::join(latents.sizes(), ", ")));
  }
  torch::NoGradGuard no_grad;
  if (latents.size(0) == 0) return torch::zeros({0, mel_.n_mels, 0});
  // Decode in bounded batches: a long song must not need memory for all its snippets' activations.
  constexpr int64_t kBatch = 32;
  std::vector<torch::Tensor> parts;
  for (int64_t s = 0; s < latents.size(0); s += kBatch) {
    const auto z = latents.slice(0, s, std::min(s + kBatch, latents.size(0))).to(device_, torch::kFloat32);
    parts.push_back(decoder_->decode(z).squeeze(1).to(torch::kCPU));
  }
  return torch::cat(parts, 0);
}

torch::Tensor Voice::render(const torch::Tensor& mel, torch::Generator& gen) const {
  if (mel.size(0) == 0) return torch::zeros({0});
  torch::NoGradGuard no_grad;
  return to_audio_.song(mel, gen).to(torch::kCPU);
}

dsp::SongAudio Voice::render_with_origins(const torch::Tensor& mel, torch::Generator& gen) const {
  if (mel.size(0) == 0) return {torch::zeros({0}), {}};
  torch::NoGradGuard no_grad;
  auto song = to_audio_.song_with_origins(mel, gen);
  song.audio = song.audio.to(torch::kCPU);
  return song;
}

torch::Tensor Voice::sing(const torch::Tensor& latents, torch::Generator& gen) const {
  return render(mel(latents), gen);
}

}  // namespace mh::voice
