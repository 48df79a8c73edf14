// The voice path: normalised mel snippets (2.0_128: 128 mels × 128 frames) → joined audio, with
// 32 Griffin-Lim iterations, reported as audio seconds per wall second (audio_s_per_s).
//
// Input: 28 snippets of a deterministic synthetic melody (partials, steps, vibrato and a noise
// floor) through the front end's arithmetic. Variants time the whole path with the default NNLS,
// with the pseudo-inverse only, and the two stages alone.
//
// BM_VoiceQuality measures a real recording instead, when MH_VOICE_SNIPPETS names an .npy of
// normalised snippets [N, 128, 128] and MH_VOICE_REFERENCE the 44.1 kHz recording they were cut
// from (see bench/peer/make_snippets.py): it adds lsd_db, the mean per-snippet log-spectral
// distance of the raw inverted snippets to the recording's, as the reference peer reports it.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "audio/read_audio.hpp"
#include "core/memory.hpp"
#include "core/npy.hpp"
#include "dsp/griffin_lim.hpp"
#include "dsp/mel.hpp"
#include "dsp/mel_inversion.hpp"
#include "dsp/mel_to_audio.hpp"
#include "dsp/quality.hpp"

namespace {

using mh::dsp::InversionSettings;
using mh::dsp::MelSettings;
using mh::dsp::MelToAudio;

constexpr int64_t kSnippets = 28;
constexpr int64_t kSnippetSamples = 88200;

const bool kVoiceSetUp = [] {
  mh::keep_freed_memory();
  torch::set_num_threads(2);
  return true;
}();

/// kSnippets × 2 s of a melody: 8 partials, a new note every 0.3 s, vibrato, -50 dB noise.
torch::Tensor synthetic_audio() {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
  const int64_t n = kSnippets * kSnippetSamples;
  const auto t = torch::arange(n, torch::kFloat64) / 44100.0;
  const auto note = torch::floor(t / 0.3);
  const auto f0 = 110.0 * torch::pow(2.0, torch::remainder(note * 7.0, 24.0) / 12.0) *
                  (1.0 + 0.004 * torch::sin(2.0 * M_PI * 5.5 * t));
  const auto phase = 2.0 * M_PI * torch::cumsum(f0, 0) / 44100.0;
  auto x = 0.003 * torch::randn({n}, gen, torch::kFloat64);
  for (int k = 1; k <= 8; ++k) x += (0.25 / k) * torch::sin(k * phase);
  return x.to(torch::kFloat32).view({kSnippets, kSnippetSamples});
}

torch::Tensor normalise(const torch::Tensor& snippets, const MelSettings& m) {
  const auto fb = mh::dsp::mel_filterbank(m.sample_rate_hz, m.stft.n_fft, m.n_mels, m.fmin_hz, m.fmax_hz)
                      .to(torch::kFloat32);
  const auto power = torch::matmul(fb, mh::dsp::stft(snippets, m.stft).abs().square());
  auto db = 10.0 * torch::log10(power.clamp_min(m.amin));
  db = torch::max(db, std::get<0>(db.flatten(1).max(1)).view({-1, 1, 1}) - m.top_db);
  return ((db - m.db_floor) / (m.db_ceiling - m.db_floor)).contiguous();
}

const torch::Tensor& synthetic_snippets() {
  static const torch::Tensor snippets = normalise(synthetic_audio(), MelSettings{});
  return snippets;
}

void report(benchmark::State& state, double audio_s) {
  state.counters["audio_s_per_s"] = benchmark::Counter(audio_s * static_cast<double>(state.iterations()),
                                                       benchmark::Counter::kIsRate);
}

void song(benchmark::State& state, InversionSettings settings) {
  const MelToAudio voice(MelSettings{}, settings, torch::kCPU);
  const auto& x = synthetic_snippets();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
  int64_t samples = voice.song(x, gen).numel();  // untimed warm-up: heap growth, FFT plans
  for (auto _ : state) {
    samples = voice.song(x, gen).numel();
    benchmark::DoNotOptimize(samples);
  }
  report(state, static_cast<double>(samples) / 44100.0);
}

void BM_VoiceSongNnls(benchmark::State& state) { song(state, InversionSettings{}); }

void BM_VoiceSongPseudoInverse(benchmark::State& state) {
  InversionSettings s;
  s.method = InversionSettings::MelInverse::kPseudoInverse;
  song(state, s);
}

void BM_VoiceMelInversionOnly(benchmark::State& state) {
  const MelSettings m;
  const MelToAudio voice(m, InversionSettings{}, torch::kCPU);
  const mh::dsp::MelInversion inversion(
      mh::dsp::mel_filterbank(m.sample_rate_hz, m.stft.n_fft, m.n_mels, m.fmin_hz, m.fmax_hz), InversionSettings{},
      torch::kCPU);
  const auto power = voice.mel_power(synthetic_snippets());
  benchmark::DoNotOptimize(inversion.magnitude(power));
  for (auto _ : state) benchmark::DoNotOptimize(inversion.magnitude(power));
  report(state, static_cast<double>(kSnippets * (power.size(2) - 1) * m.stft.hop_length) / 44100.0);
}

void BM_VoiceGriffinLimOnly(benchmark::State& state) {
  const MelSettings m;
  const mh::dsp::GriffinLim gl(m.stft, InversionSettings{});
  const auto magnitude = mh::dsp::stft(synthetic_audio(), m.stft).abs();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
  benchmark::DoNotOptimize(gl(magnitude, gen));
  for (auto _ : state) benchmark::DoNotOptimize(gl(magnitude, gen));
  report(state, static_cast<double>(kSnippets * (magnitude.size(2) - 1) * m.stft.hop_length) / 44100.0);
}

/// The reference peer's grid: floor(len / 88200) full snippets plus a zero-padded remainder.
torch::Tensor split_like_peer(const torch::Tensor& pcm, int64_t snippet_samples) {
  const int64_t full = pcm.size(0) / snippet_samples;
  auto out = torch::zeros({full + 1, snippet_samples}, torch::kFloat32);
  const int64_t used = std::min(pcm.size(0), (full + 1) * snippet_samples);
  out.view({-1}).narrow(0, 0, used).copy_(pcm.narrow(0, 0, used));
  return out;
}

void BM_VoiceQuality(benchmark::State& state) {
  const char* snippets_path = std::getenv("MH_VOICE_SNIPPETS");
  const char* reference_path = std::getenv("MH_VOICE_REFERENCE");
  if (!snippets_path || !reference_path) {
    state.SkipWithError("set MH_VOICE_SNIPPETS and MH_VOICE_REFERENCE (see bench/peer/make_snippets.py)");
    return;
  }
  const MelSettings m;
  const MelToAudio voice(m, InversionSettings{}, torch::kCPU);
  const auto x = mh::read_npy(snippets_path).to(torch::kFloat32);
  const auto reference = mh::audio::read_audio(reference_path, 0);
  if (reference.sample_rate_hz != m.sample_rate_hz) {
    state.SkipWithError("the reference recording must be at 44.1 kHz");
    return;
  }
  auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
  const auto raw = voice.snippets(x, gen);
  const double lsd = mh::dsp::log_spectral_distance_db(raw, split_like_peer(reference.samples, kSnippetSamples), m.stft);
  int64_t samples = voice.song(x, gen).numel();
  for (auto _ : state) {
    samples = voice.song(x, gen).numel();
    benchmark::DoNotOptimize(samples);
  }
  report(state, static_cast<double>(samples) / 44100.0);
  state.counters["lsd_db"] = lsd;
  state.counters["snippets"] = static_cast<double>(x.size(0));
}

}  // namespace

BENCHMARK(BM_VoiceSongNnls)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_VoiceSongPseudoInverse)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_VoiceMelInversionOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_VoiceGriffinLimOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_VoiceQuality)->Unit(benchmark::kMillisecond)->UseRealTime();
