// Front end throughput: a recording in memory → silence removed → 2-s snippets → normalised
// log-mel spectrograms (preset 2.0_128), reported as audio seconds per wall second
// (`audio_s_per_s`). The input is a deterministic 60-s synthetic signal at 44.1 kHz shaped like
// the Python peer's benchmark signal: a melody with glides and vibrato (0–20 s), digital silence
// (20–24 s), a sweep with noise bursts (24–40 s), silence (40–42 s) and two voices with a
// crescendo (42–60 s); silence removal drops three 2-s windows and leaves 27 snippets.
// Variants: the production path (FFTW frames + banded filterbank) and the plain route
// (torch::stft + dense filterbank product), each on 1 and 2 intra-op threads. MH_FRONT_END_AUDIO
// replaces the synthetic signal with a recording.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

#include "audio/read_audio.hpp"
#include "dsp/db.hpp"
#include "dsp/front_end.hpp"
#include "dsp/snippets.hpp"

namespace {

constexpr int kRate = 44100;
constexpr double kSeconds = 60.0;
constexpr double kPi = 3.14159265358979323846;

torch::Tensor synthetic_recording() {
  const int64_t n = static_cast<int64_t>(kSeconds * kRate);
  std::vector<double> out(static_cast<size_t>(n), 0.0);
  std::mt19937_64 rng(1234);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto harmonic = [&](int64_t i0, int64_t i1, auto f0_of, auto amp_of, int n_harm, double tilt) {
    double phase = 0;
    for (int64_t i = i0; i < i1; ++i) {
      phase += 2 * kPi * f0_of(i) / kRate;
      double v = 0;
      for (int k = 1; k <= n_harm; ++k) v += std::sin(k * phase) / std::pow(k, tilt);
      out[static_cast<size_t>(i)] += amp_of(i) * v;
    }
  };
  auto melody = [&](double t0, double t1, double base, double note_s, double gain, double fifth) {
    const int64_t i0 = static_cast<int64_t>(t0 * kRate), i1 = static_cast<int64_t>(t1 * kRate);
    const int64_t per = static_cast<int64_t>(note_s * kRate);
    const int scale[] = {0, 2, 4, 7, 9, 12};
    std::vector<double> semis;
    int degree = 3;
    for (int64_t i = i0; i < i1; i += per) {
      degree = std::clamp(degree + static_cast<int>(uniform(rng) * 5) - 2, 0, 5);
      semis.push_back(scale[degree]);
    }
    double glide = semis[0];
    std::vector<double> f0(static_cast<size_t>(i1 - i0));
    for (int64_t i = i0; i < i1; ++i) {
      glide = 0.998 * glide + 0.002 * semis[static_cast<size_t>((i - i0) / per)];
      const double t = static_cast<double>(i - i0) / kRate;
      f0[static_cast<size_t>(i - i0)] = base * std::pow(2.0, glide / 12) * (1 + 0.006 * std::sin(2 * kPi * 5.5 * t));
    }
    auto env = [&](int64_t i) {
      const double pos = static_cast<double>((i - i0) % per) / kRate;
      const double cresc = 0.3 + 0.7 * static_cast<double>(i - i0) / static_cast<double>(i1 - i0);
      return gain * (fifth > 0 ? cresc : 1.0) * std::min(pos / 0.02, 1.0) * std::exp(-pos * 1.5);
    };
    harmonic(i0, i1, [&](int64_t i) { return f0[static_cast<size_t>(i - i0)]; }, env, 8, 1.0);
    if (fifth > 0) {
      harmonic(i0, i1, [&](int64_t i) { return fifth * f0[static_cast<size_t>(i - i0)]; },
               [&](int64_t i) { return 0.7 * env(i); }, 6, 1.0);
    }
  };
  auto bursts = [&](double t0, double t1, int count, double gain) {
    for (int b = 0; b < count; ++b) {
      const int64_t start = static_cast<int64_t>((t0 + uniform(rng) * (t1 - t0)) * kRate);
      const int64_t len = static_cast<int64_t>((0.06 + 0.09 * uniform(rng)) * kRate);
      const double a = 0.2 + 0.75 * uniform(rng);
      double state = 0;
      for (int64_t j = 0; j < len && start + j < n; ++j) {
        state = (1 - a) * gauss(rng) * std::exp(-static_cast<double>(j) / (0.03 * kRate)) + a * state;
        out[static_cast<size_t>(start + j)] += gain * state;
      }
    }
  };
  melody(0, 20, 220.0, 0.5, 0.5, 0);
  const int64_t s0 = 24 * kRate, s1 = 40 * kRate;
  harmonic(s0, s1, [&](int64_t i) {
    const double t = static_cast<double>(i - s0) / kRate;
    return 80 * std::pow(1200.0 / 80, 1 - std::abs(t / 8 - 1));
  }, [](int64_t) { return 0.3; }, 5, 1.5);
  bursts(24.2, 39.6, 40, 0.4);
  melody(42, 60, 146.8, 0.75, 0.35, 1.5);
  bursts(42.2, 59.6, 12, 0.3);
  for (int64_t i = 42 * kRate; i < n; ++i) out[static_cast<size_t>(i)] += 0.003 * gauss(rng);
  std::fill(out.begin() + 20 * kRate, out.begin() + 24 * kRate, 0.0);
  std::fill(out.begin() + 40 * kRate, out.begin() + 42 * kRate, 0.0);
  double peak = 0;
  for (double v : out) peak = std::max(peak, std::abs(v));
  return (torch::tensor(out, torch::kFloat64) * (0.9 / peak)).to(torch::kFloat32);
}

// MH_FRONT_END_AUDIO names a recording to use instead (decoded and resampled to 44.1 kHz
// before timing), for the peer's --audio run on the same file.
const torch::Tensor& recording() {
  static const torch::Tensor x = [] {
    if (const char* path = std::getenv("MH_FRONT_END_AUDIO")) return mh::audio::read_audio(path, kRate).samples;
    return synthetic_recording();
  }();
  return x;
}

/// Sets the intra-op threads for one benchmark and puts the previous count back.
struct Threads {
  explicit Threads(int n) : previous(torch::get_num_threads()) { torch::set_num_threads(n); }
  ~Threads() { torch::set_num_threads(previous); }
  int previous;
};

void report(benchmark::State& state, int64_t snippets) {
  state.counters["audio_s_per_s"] =
      benchmark::Counter(static_cast<double>(recording().numel()) / kRate * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["snippets"] = static_cast<double>(snippets);
  state.counters["threads"] = static_cast<double>(torch::get_num_threads());
}

void BM_FrontEndMelSnippets(benchmark::State& state) {
  Threads threads(static_cast<int>(state.range(0)));
  const auto settings = mh::dsp::front_end_preset("2.0_128");
  const mh::dsp::MelFrontEnd front_end(settings.mel);
  const auto& x = recording();
  auto y = mh::dsp::mel_snippets(x, settings, front_end);  // untimed warm-up
  for (auto _ : state) {
    y = mh::dsp::mel_snippets(x, settings, front_end);
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  report(state, y.size(0));
}
BENCHMARK(BM_FrontEndMelSnippets)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// The same pipeline with the plain route for the mel power (what a dense torchaudio-style
// front end costs in C++), for comparison.
void BM_FrontEndMelSnippetsDense(benchmark::State& state) {
  Threads threads(static_cast<int>(state.range(0)));
  const auto settings = mh::dsp::front_end_preset("2.0_128");
  const mh::dsp::MelFrontEnd front_end(settings.mel);
  const auto& x = recording();
  const auto& m = settings.mel;
  auto run = [&] {
    const auto kept = mh::dsp::remove_silence(x, settings.snippet.silence_window_samples(kRate),
                                              settings.snippet.silence_threshold_dbfs);
    const auto snippets = mh::dsp::cut_snippets(kept, settings.snippet.snippet_samples(kRate));
    const auto power = mh::dsp::mel_power_dense(snippets, m.stft, front_end.filterbank());
    return mh::dsp::normalise_db(mh::dsp::power_to_db(power, 1.0, m.amin, m.top_db), m.db_floor, m.db_ceiling)
        .clamp(0, 1);
  };
  auto y = run();
  for (auto _ : state) {
    y = run();
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  report(state, y.size(0));
}
BENCHMARK(BM_FrontEndMelSnippetsDense)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
