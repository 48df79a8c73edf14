#include "dsp/mel_to_audio.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/errors.hpp"
#include "dsp/join.hpp"
#include "dsp/mel.hpp"

namespace mh::dsp {
namespace {

MelInversion make_inversion(const MelSettings& mel, const InversionSettings& inversion, torch::Device device) {
  mel.validate();
  return MelInversion(mel_filterbank(mel.sample_rate_hz, mel.stft.n_fft, mel.n_mels, mel.fmin_hz, mel.fmax_hz,
                                     mel.scale, mel.norm),
                      inversion, device);
}

}  // namespace

MelToAudio::MelToAudio(const MelSettings& mel, const InversionSettings& inversion, torch::Device device)
    : mel_(mel), inversion_settings_(inversion), device_(device),
      inversion_(make_inversion(mel, inversion, device)), griffin_lim_(mel.stft, inversion) {}

torch::Tensor MelToAudio::mel_power(const torch::Tensor& normalised) const {
  torch::NoGradGuard no_grad;
  auto x = normalised;
  if (x.dim() == 4 && x.size(1) == 1) x = x.squeeze(1);
  if (x.dim() != 3 || x.size(1) != mel_.n_mels || x.size(2) < 1) {
    throw ShapeError(fmt::format("mel to audio: got [{}], expected [N, {}, frames] or [N, 1, {}, frames]",
                                 fmt::join(normalised.sizes(), ", "), mel_.n_mels, mel_.n_mels));
  }
  const double range = mel_.db_ceiling - mel_.db_floor;
  const double top = std::max(mel_.db_floor, inversion_settings_.clip_db);
  const auto db = x.to(device_, torch::kFloat32).mul(range).add_(mel_.db_floor).clamp_(mel_.db_floor, top);
  // 10^(dB/10) = exp(dB · ln(10)/10)
  return db.mul_(std::log(10.0) / 10.0).exp_();
}

torch::Tensor MelToAudio::snippets(const torch::Tensor& normalised, torch::Generator& gen) const {
  return griffin_lim_(inversion_.magnitude(mel_power(normalised)), gen);
}

torch::Tensor MelToAudio::song(const torch::Tensor& normalised, torch::Generator& gen) const {
  return song_with_origins(normalised, gen).audio;
}

SongAudio MelToAudio::song_with_origins(const torch::Tensor& normalised, torch::Generator& gen) const {
  const auto audio = snippets(normalised, gen);
  std::vector<torch::Tensor> pieces;
  std::vector<int64_t> trimmed_from, lengths;
  pieces.reserve(static_cast<size_t>(audio.size(0)));
  for (int64_t i = 0; i < audio.size(0); ++i) {
    const auto row = audio[i];
    pieces.push_back(trim_to_rising_zero_crossings(row));
    // The trim is a view of the row: its offset says how many samples were cut in front.
    trimmed_from.push_back(pieces.back().storage_offset() - row.storage_offset());
    lengths.push_back(pieces.back().size(0));
  }
  SongAudio out{crossfade_join(pieces, inversion_settings_.crossfade_samples).to(device_), {}};
  const auto starts = crossfade_starts(lengths, inversion_settings_.crossfade_samples);
  for (size_t i = 0; i < starts.size(); ++i) out.origins.push_back(starts[i] - trimmed_from[i]);
  return out;
}

}  // namespace mh::dsp
