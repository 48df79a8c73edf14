#include "dsp/notes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"
#include "core/shape.hpp"
#include "dsp/stft.hpp"

namespace mh::dsp {

namespace {

constexpr int kPitchClasses = 12;
constexpr double kOnsetCompression = 1000;  // γ of the onset envelope's log(1 + γ·magnitude)

// Pitch class of a frequency, 0 = C: round(12·log2(f/440)) is semitones from A4, and A is 9.
int pitch_class(double hz) {
  const long semitones = std::lround(12.0 * std::log2(hz / 440.0));
  return static_cast<int>(((semitones + 9) % kPitchClasses + kPitchClasses) % kPitchClasses);
}

// The loudest pitch class of a chroma row, or -1 for a row without power (no pitch to agree on).
int loudest_class(const double* row) {
  int best = -1;
  double best_power = 0;
  for (int c = 0; c < kPitchClasses; ++c) {
    if (row[c] > best_power) {
      best_power = row[c];
      best = c;
    }
  }
  return best;
}

// Pearson correlation of x[t] and y[t + lag] over t in [t0, t1) where both exist; NaN when
// either side is constant or fewer than two pairs exist.
double pearson(const double* x, int64_t nx, const double* y, int64_t ny, int64_t t0, int64_t t1, int64_t lag) {
  const int64_t from = std::max({t0, -lag, int64_t{0}}), to = std::min({t1, ny - lag, nx});
  if (to - from < 2) return NoteFigures::kNaN;
  double sx = 0, sy = 0;
  for (int64_t t = from; t < to; ++t) {
    sx += x[t];
    sy += y[t + lag];
  }
  const double n = static_cast<double>(to - from), mx = sx / n, my = sy / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (int64_t t = from; t < to; ++t) {
    const double dx = x[t] - mx, dy = y[t + lag] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // A constant envelope (within rounding: silence, a signal without onsets) says nothing about them.
  if (sxx <= 1e-12 * n || syy <= 1e-12 * n) return NoteFigures::kNaN;
  return sxy / std::sqrt(sxx * syy);
}

// Rows scaled to unit length (rows without power stay zero): cosine similarity is then a dot.
torch::Tensor unit_rows(const torch::Tensor& chroma) {
  const auto norm = chroma.norm(2, 1, true);
  return torch::where(norm > 0, chroma / norm.clamp_min(1e-300), torch::zeros_like(chroma)).contiguous();
}

double dot12(const double* a, const double* b) {
  double s = 0;
  for (int c = 0; c < kPitchClasses; ++c) s += a[c] * b[c];
  return s;
}

// The answer frame lag of every heard frame (heard t ↔ answer t + lag[t]), one lag per block.
std::vector<int64_t> block_lags(const torch::Tensor& heard_unit, const torch::Tensor& answer_unit,
                                const NoteFeatures& heard, const NoteFeatures& answer, const std::vector<bool>& counted,
                                const NoteOptions& o) {
  const int64_t nh = heard.frames(), na = answer.frames();
  const double frames_per_s = static_cast<double>(kNoteRateHz) / o.hop_samples;
  const int64_t block = std::max<int64_t>(1, std::llround(o.block_s * frames_per_s));
  const int64_t search = std::llround(o.search_s * frames_per_s);
  const double* hc = heard_unit.data_ptr<double>();
  const double* ac = answer_unit.data_ptr<double>();
  const double* ho = heard.onset.data_ptr<double>();
  const double* ao = answer.onset.data_ptr<double>();
  std::vector<int64_t> lags(static_cast<size_t>(nh), 0);
  int64_t previous = 0;
  for (int64_t t0 = 0; t0 < nh; t0 += block) {
    const int64_t t1 = std::min(nh, t0 + block);
    double best_score = -std::numeric_limits<double>::infinity();
    int64_t best_lag = previous;
    // Nearest lags first, and only a strictly better score moves the lag: in a steady passage,
    // where every lag scores alike, the lag stays where the last block put it.
    for (int64_t step = 0; step <= 2 * search; ++step) {
      const int64_t lag = previous + (step % 2 ? (step + 1) / 2 : -step / 2);
      const int64_t from = std::max(t0, -lag), to = std::min(t1, na - lag);
      if (2 * (to - from) < t1 - t0) continue;  // less than half the block would be compared
      double cos_sum = 0;
      int64_t cos_count = 0;
      for (int64_t t = from; t < to; ++t) {
        if (!counted[static_cast<size_t>(t)]) continue;
        cos_sum += dot12(hc + t * kPitchClasses, ac + (t + lag) * kPitchClasses);
        ++cos_count;
      }
      const double r = pearson(ho, nh, ao, na, from, to, lag);
      const double score = (cos_count ? cos_sum / static_cast<double>(cos_count) : 0.0) + (std::isnan(r) ? 0.0 : r);
      if (score > best_score + 1e-9) {
        best_score = score;
        best_lag = lag;
      }
    }
    std::fill(lags.begin() + t0, lags.begin() + t1, best_lag);
    previous = best_lag;
  }
  return lags;
}

// Features as note_features makes them: the accessors below read them as contiguous float64.
void check_features(const NoteFeatures& f, const char* which) {
  const int64_t n = f.frames();
  const auto ok = [n](const torch::Tensor& t, int64_t dim) {
    return t.defined() && t.dim() == dim && t.size(0) == n && t.scalar_type() == torch::kFloat64 && t.is_contiguous() &&
           t.device().is_cpu();
  };
  if (!ok(f.chroma, 2) || f.chroma.size(1) != kPitchClasses || !ok(f.onset, 1) || !ok(f.energy_db, 1)) {
    throw ShapeError(fmt::format("compare_notes: {} features have chroma {}, onset {}, energy {}; expected contiguous "
                                 "float64 [frames, 12], [frames], [frames] on the CPU", which,
                                 f.chroma.defined() ? shape_string(f.chroma.sizes()) : "undefined",
                                 f.onset.defined() ? shape_string(f.onset.sizes()) : "undefined",
                                 f.energy_db.defined() ? shape_string(f.energy_db.sizes()) : "undefined"));
  }
}

}  // namespace

void NoteOptions::validate() const {
  check_range("notes.n_fft", n_fft, 256, 1 << 16);
  check_range("notes.hop_samples", hop_samples, 1, n_fft);
  check_range("notes.high_hz", high_hz, 1.0, kNoteRateHz / 2.0);
  check_range("notes.low_hz", low_hz, 1.0, high_hz);
  check_range("notes.block_s", block_s, 1e-3, 3600.0);
  check_range("notes.search_s", search_s, 0.0, 60.0);
  check_range("notes.floor_db", floor_db, 1e-3, 400.0);
}

nlohmann::json NoteFigures::to_json() const {
  return {{"pitch_agreement", number_or_null(pitch_agreement)},
          {"chroma_similarity", number_or_null(chroma_similarity)},
          {"onset_correlation", number_or_null(onset_correlation)},
          {"frames", frames}};
}

NoteFeatures note_features(const torch::Tensor& signal, const NoteOptions& options) {
  options.validate();
  if (signal.dim() != 1) {
    throw ShapeError(
        fmt::format("note_features: signal has shape {}, expected [samples]", shape_string(signal.sizes())));
  }
  StftSettings s;
  s.n_fft = s.win_length = options.n_fft;
  s.hop_length = options.hop_samples;
  const int n = options.n_fft, bins = n / 2 + 1;
  const auto x = signal.to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t samples = x.numel(), frames = samples ? s.n_frames(samples) : 0;
  NoteFeatures f;
  f.chroma = torch::zeros({frames, kPitchClasses}, torch::kFloat64);
  f.onset = torch::zeros({frames}, torch::kFloat64);
  f.energy_db = torch::zeros({frames}, torch::kFloat64);
  if (frames == 0) return f;

  // The onset envelope's log magnitude is taken of the signal scaled to a peak sample of 1, so that
  // its level does not matter: log(1 + γ·|X| / (n/4)), n/4 being the magnitude a full-scale sine
  // has in its bin. Near-linear for quiet bins, so that a sound just entering the long window's
  // tapered edge adds little flux (in plain dB that entry frame would carry the onset, and where
  // it falls would depend on the sound's sub-hop position).
  const double peak_sample = x.abs().max().item<double>();
  const float scale = peak_sample > 0 ? static_cast<float>(1.0 / peak_sample) : 1.0f;
  const double magnitude_gain = kOnsetCompression / (n / 4.0);
  std::vector<int> pitch_of_bin(static_cast<size_t>(bins), -1);
  for (int k = 1; k < bins; ++k) {
    const double hz = static_cast<double>(k) * kNoteRateHz / n;
    if (hz >= options.low_hz && hz <= options.high_hz) pitch_of_bin[static_cast<size_t>(k)] = pitch_class(hz);
  }

  // One frame at a time through FFTW, centred as stft() centres (n/2 zeros before and after).
  const RealFft fft(n);
  const auto window = hann_window(s).contiguous();
  const float* w = window.data_ptr<float>();
  const float* in = x.data_ptr<float>();
  FftBuffer<float> frame(static_cast<size_t>(n));
  FftBuffer<std::complex<float>> spectrum(static_cast<size_t>(bins));
  std::vector<double> log_mag(static_cast<size_t>(bins)), previous(static_cast<size_t>(bins));
  auto chroma = f.chroma.accessor<double, 2>();
  auto onset = f.onset.accessor<double, 1>();
  auto energy_db = f.energy_db.accessor<double, 1>();
  for (int64_t t = 0; t < frames; ++t) {
    const int64_t first = t * s.hop_length - n / 2;
    for (int j = 0; j < n; ++j) {
      const int64_t i = first + j;
      frame[static_cast<size_t>(j)] = i >= 0 && i < samples ? in[i] * scale * w[j] : 0.0f;
    }
    fft.forward(frame.data(), spectrum.data());
    double energy = 0, flux = 0;
    for (int k = 0; k < bins; ++k) {
      // In double: the power of a quiet bin is below float's normal range.
      const double re = spectrum[static_cast<size_t>(k)].real(), im = spectrum[static_cast<size_t>(k)].imag();
      const double power = re * re + im * im;
      energy += power;
      const int c = pitch_of_bin[static_cast<size_t>(k)];
      if (c >= 0) chroma[t][c] += power;
      log_mag[static_cast<size_t>(k)] = std::log1p(magnitude_gain * std::sqrt(power));
      if (t > 0) flux += std::max(0.0, log_mag[static_cast<size_t>(k)] - previous[static_cast<size_t>(k)]);
    }
    energy_db[t] = 10.0 * std::log10(energy);
    onset[t] = flux / bins;
    std::swap(log_mag, previous);
  }
  return f;
}

NoteFigures compare_notes(const NoteFeatures& heard, const NoteFeatures& answer, const NoteOptions& options) {
  options.validate();
  check_features(heard, "heard");
  check_features(answer, "answer");
  NoteFigures out;
  const int64_t nh = heard.frames(), na = answer.frames();
  if (nh == 0 || na == 0) return out;
  const double peak_db = heard.energy_db.max().item<double>();
  if (!std::isfinite(peak_db)) return out;  // silence
  std::vector<bool> counted(static_cast<size_t>(nh));
  const auto energy = heard.energy_db.accessor<double, 1>();
  for (int64_t t = 0; t < nh; ++t) counted[static_cast<size_t>(t)] = energy[t] >= peak_db - options.floor_db;

  const auto heard_unit = unit_rows(heard.chroma), answer_unit = unit_rows(answer.chroma);
  const auto lags = block_lags(heard_unit, answer_unit, heard, answer, counted, options);
  const double* hc = heard.chroma.data_ptr<double>();
  const double* ac = answer.chroma.data_ptr<double>();
  const double* hu = heard_unit.data_ptr<double>();
  const double* au = answer_unit.data_ptr<double>();
  const double* ho = heard.onset.data_ptr<double>();
  const double* ao = answer.onset.data_ptr<double>();
  int64_t agree = 0;
  double cos_sum = 0;
  std::vector<double> x, y;  // the aligned onset envelopes
  for (int64_t t = 0; t < nh; ++t) {
    const int64_t u = t + lags[static_cast<size_t>(t)];
    if (u < 0 || u >= na) continue;
    x.push_back(ho[t]);
    y.push_back(ao[u]);
    if (!counted[static_cast<size_t>(t)]) continue;
    ++out.frames;
    const int c = loudest_class(hc + t * kPitchClasses);
    if (c >= 0 && c == loudest_class(ac + u * kPitchClasses)) ++agree;
    cos_sum += dot12(hu + t * kPitchClasses, au + u * kPitchClasses);
  }
  if (out.frames == 0) return out;
  out.pitch_agreement = static_cast<double>(agree) / static_cast<double>(out.frames);
  out.chroma_similarity = cos_sum / static_cast<double>(out.frames);
  const auto n = static_cast<int64_t>(x.size());
  out.onset_correlation = pearson(x.data(), n, y.data(), n, 0, n, 0);
  return out;
}

NoteFigures compare_notes(const torch::Tensor& heard, const torch::Tensor& answer, const NoteOptions& options) {
  return compare_notes(note_features(heard, options), note_features(answer, options), options);
}

NoteFigures pool(const std::vector<NoteFigures>& parts) {
  NoteFigures out;
  double agree = 0, similarity = 0, onset = 0;
  int64_t onset_frames = 0;
  for (const auto& p : parts) {
    if (p.frames == 0) continue;
    out.frames += p.frames;
    agree += p.pitch_agreement * static_cast<double>(p.frames);
    similarity += p.chroma_similarity * static_cast<double>(p.frames);
    if (!std::isnan(p.onset_correlation)) {
      onset += p.onset_correlation * static_cast<double>(p.frames);
      onset_frames += p.frames;
    }
  }
  if (out.frames == 0) return out;
  out.pitch_agreement = agree / static_cast<double>(out.frames);
  out.chroma_similarity = similarity / static_cast<double>(out.frames);
  if (onset_frames) out.onset_correlation = onset / static_cast<double>(onset_frames);
  return out;
}

double notes_kept(double agent, double chance, double voice) {
  if (std::isnan(agent) || std::isnan(chance) || std::isnan(voice) || voice <= chance) return NoteFigures::kNaN;
  return (agent - chance) / (voice - chance);
}

}  // namespace mh::dsp
