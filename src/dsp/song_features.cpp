#include "dsp/song_features.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/errors.hpp"
#include "core/shape.hpp"
#include "dsp/mel.hpp"
#include "dsp/stft.hpp"

namespace mh::dsp {
namespace {

constexpr int kMelFft = 2048;
constexpr int kMelHop = 512;
constexpr double kMelLowHz = 30;
constexpr double kMelHighHz = 8000;
constexpr double kKeptRangeDb = 60;  // frames quieter than the loudest by more are silence
constexpr double kNoPulseBpm = 120;
constexpr double kMinPulseClarity = 0.1;
constexpr double kSlowestBpm = 40, kFastestBpm = 200;

// Frames within kKeptRangeDb of the loudest one and with any power at all.
torch::Tensor loud_frames(const torch::Tensor& energy_db) {
  if (energy_db.numel() == 0) return torch::zeros({0}, torch::kBool);
  const double loudest = energy_db.max().item<double>();
  return torch::isfinite(energy_db) & (energy_db >= loudest - kKeptRangeDb);
}

torch::Tensor mean_log_mel(const torch::Tensor& x) {
  StftSettings s;
  s.n_fft = s.win_length = kMelFft;
  s.hop_length = kMelHop;
  const auto power = torch::view_as_real(stft(x, s)).pow(2).sum(-1).to(torch::kFloat64);  // [bins, frames]
  static const auto filterbank = mel_filterbank(kNoteRateHz, kMelFft, kSongMelBands, kMelLowHz, kMelHighHz);
  const auto mel_power = filterbank.matmul(power);  // [bands, frames]
  // A floor 100 dB under the loudest value, relative so that the level does not move it.
  const double floor = std::max(mel_power.max().item<double>() * 1e-10, 1e-300);
  const auto mel_db = 10.0 * torch::log10(mel_power.clamp_min(floor));
  const auto energy = power.sum(0);
  const auto energy_db = torch::where(energy > 0, 10.0 * torch::log10(energy.clamp_min(1e-300)),
                                      torch::full_like(energy, -std::numeric_limits<double>::infinity()));
  const auto kept = loud_frames(energy_db);
  if (kept.sum().item<int64_t>() == 0) return torch::zeros({kSongMelBands}, torch::kFloat64);
  // In dB under the loudest band, and no deeper than kKeptRangeDb: what lies further down (a
  // window's leakage, the noise floor) is not what a listener compares.
  const auto mean = mel_db.index({torch::indexing::Slice(), kept}).mean(1);
  return (mean - mean.max()).clamp_min(-kKeptRangeDb);
}

torch::Tensor mean_chroma(const NoteFeatures& notes) {
  const auto sums = notes.chroma.sum(1);
  const auto kept = loud_frames(notes.energy_db) & (sums > 0);
  if (kept.sum().item<int64_t>() == 0) return torch::zeros({kSongChromaDims}, torch::kFloat64);
  return (notes.chroma.index({kept}) / sums.index({kept}).unsqueeze(1)).mean(0);
}

// Tempo from the lag at which the onset envelope's autocorrelation peaks (each lag's sum divided
// by its number of pairs, so that long lags are not penalised for having fewer). Multiples of the
// beat peak about as high as the beat itself: the shortest lag whose peak is within 10 % of the
// highest is the beat, refined between frames by a parabola through its neighbours.
double tempo_bpm(const torch::Tensor& onset) {
  const int64_t n = onset.numel();
  const double frame_rate = static_cast<double>(kNoteRateHz) / NoteOptions{}.hop_samples;
  const auto min_lag = static_cast<int64_t>(std::ceil(60.0 / kFastestBpm * frame_rate));
  const auto max_lag = static_cast<int64_t>(std::floor(60.0 / kSlowestBpm * frame_rate));
  if (n < 2 * max_lag) return kNoPulseBpm;
  const auto e = (onset - onset.mean()).contiguous();
  const double* v = e.data_ptr<double>();
  std::vector<double> ac(static_cast<size_t>(max_lag + 2), 0.0);
  for (int64_t lag = 0; lag <= max_lag + 1; ++lag) {
    double sum = 0;
    for (int64_t t = 0; t + lag < n; ++t) sum += v[t] * v[t + lag];
    ac[static_cast<size_t>(lag)] = sum / static_cast<double>(n - lag);
  }
  const double zero = ac[0];
  if (zero <= 1e-12) return kNoPulseBpm;
  const double best = *std::max_element(ac.begin() + min_lag, ac.begin() + max_lag + 1);
  if (best / zero < kMinPulseClarity) return kNoPulseBpm;
  for (int64_t lag = min_lag; lag <= max_lag; ++lag) {
    const double a = ac[static_cast<size_t>(lag - 1)], b = ac[static_cast<size_t>(lag)], c = ac[static_cast<size_t>(lag + 1)];
    if (b < 0.9 * best || b < a || b < c) continue;
    const double curvature = a - 2 * b + c;
    const double shift = curvature < 0 ? std::clamp(0.5 * (a - c) / curvature, -0.5, 0.5) : 0.0;
    return 60.0 * frame_rate / (static_cast<double>(lag) + shift);
  }
  return kNoPulseBpm;
}

}  // namespace

const std::vector<FeatureGroup>& song_feature_groups() {
  static const std::vector<FeatureGroup> groups = {
      {"mel", 0, kSongMelBands, 1.0},
      {"chroma", kSongMelBands, kSongChromaDims, 0.01},
      {"rhythm", kSongMelBands + kSongChromaDims, kSongRhythmDims, 0.1},
  };
  return groups;
}

torch::Tensor song_features(const torch::Tensor& signal) {
  if (signal.dim() != 1) {
    throw ShapeError(fmt::format("song_features: signal has shape {}, expected [samples]", shape_string(signal.sizes())));
  }
  const auto x = signal.to(torch::kCPU, torch::kFloat32).contiguous();
  auto out = torch::zeros({kSongFeatureDims}, torch::kFloat64);
  out[kSongFeatureDims - 1] = std::log2(kNoPulseBpm);
  if (x.numel() == 0 || x.abs().max().item<double>() == 0) return out;
  const auto notes = note_features(x);
  out.slice(0, 0, kSongMelBands).copy_(mean_log_mel(x));
  out.slice(0, kSongMelBands, kSongMelBands + kSongChromaDims).copy_(mean_chroma(notes));
  out[kSongMelBands + kSongChromaDims] = notes.onset.mean().item<double>();
  out[kSongFeatureDims - 1] = std::log2(tempo_bpm(notes.onset));
  return out;
}

torch::Tensor normalise_song_features(const torch::Tensor& features, double colour_weight) {
  if (features.dim() != 2 || features.size(1) != kSongFeatureDims) {
    throw ShapeError(fmt::format("normalise_song_features: features have shape {}, expected [songs, {}]",
                                 shape_string(features.sizes()), kSongFeatureDims));
  }
  const auto f = features.to(torch::kFloat64);
  if (f.size(0) == 0) return f.clone();
  const auto mean = f.mean(0);
  const auto spread = (f - mean).pow(2).mean(0).sqrt();
  auto scale = torch::ones({kSongFeatureDims}, torch::kFloat64);
  for (const auto& g : song_feature_groups()) {
    const auto part = spread.slice(0, g.first, g.first + g.count);
    const double weight = g.name == "mel" ? colour_weight : 1.0;
    scale.slice(0, g.first, g.first + g.count)
        .copy_(part.clamp_min(g.floor) * std::sqrt(static_cast<double>(g.count) / std::max(weight, 1e-12)));
  }
  return (f - mean) / scale;
}

}  // namespace mh::dsp
