#include "dsp/mel_settings.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/settings_fields.hpp"

namespace mh::dsp {

const FieldTable<MelSettings>& mel_fields() {
  using S = MelSettings;
  static const FieldTable<S> table{
      {"sample_rate_hz", "sample rate every recording is resampled to, in Hz", &S::sample_rate_hz, 1000, 384000},
      {"n_mels", "mel bands, 1 to n_fft/2+1", &S::n_mels},
      {"fmin_hz", "lowest band edge in Hz, 0 up to below fmax_hz", &S::fmin_hz},
      {"fmax_hz", "highest band edge in Hz, above 0 up to sample_rate_hz/2", &S::fmax_hz},
      {"scale", "mel scale", enum_words(&S::scale, {{MelScale::kSlaney, "slaney"}, {MelScale::kHtk, "htk"}})},
      {"norm", "filter normalisation (slaney: constant area; none: peak 1)",
       enum_words(&S::norm, {{MelNorm::kSlaney, "slaney"}, {MelNorm::kNone, "none"}})},
      {"amin", "power floor before the log", &S::amin, 0, 1, Open::kLo},
      {"top_db", "dB below each snippet's peak kept (<= 0: no floor)", &S::top_db, -1e9, 1e9},
      {"db_floor", "dB mapped to 0", &S::db_floor, -1000, 1000},
      {"db_ceiling", "dB mapped to 1, above db_floor up to 1000", &S::db_ceiling},
  };
  return table;
}

const FieldTable<SnippetSettings>& snippet_fields() {
  using S = SnippetSettings;
  static const FieldTable<S> table{
      {"seconds", "snippet length in seconds", &S::seconds, 0.25, 4},
      {"silence_window_seconds", "window of the silence removal in seconds", &S::silence_window_seconds, 0.01, 60},
      {"silence_threshold_dbfs", "a window whose RMS is below this is dropped, in dBFS", &S::silence_threshold_dbfs,
       -200, 0},
  };
  return table;
}

void MelSettings::validate() const {
  validate_fields(mel_fields(), *this, "mel.");
  stft.validate("mel.");
  check_range("mel.n_mels", n_mels, 1, stft.n_freqs());
  const double nyquist = sample_rate_hz / 2.0;
  if (!(fmax_hz > 0 && fmax_hz <= nyquist)) {
    throw SettingsError(fmt::format("mel.fmax_hz = {} is out of range: allowed (0, {}] (the Nyquist frequency "
                                    "of sample_rate_hz = {})", fmax_hz, nyquist, sample_rate_hz));
  }
  if (!(fmin_hz >= 0 && fmin_hz < fmax_hz)) {
    throw SettingsError(fmt::format("mel.fmin_hz = {} is out of range: allowed [0, {}) (below fmax_hz)",
                                    fmin_hz, fmax_hz));
  }
  if (!(db_ceiling > db_floor && db_ceiling <= 1000.0)) {
    throw SettingsError(fmt::format("mel.db_ceiling = {} is out of range: allowed ({}, 1000] (above db_floor)",
                                    db_ceiling, db_floor));
  }
}

void SnippetSettings::validate() const { validate_fields(snippet_fields(), *this, "snippet."); }

int64_t SnippetSettings::snippet_samples(int sample_rate_hz) const {
  return std::llround(seconds * sample_rate_hz);
}

int64_t SnippetSettings::silence_window_samples(int sample_rate_hz) const {
  return std::max<int64_t>(1, std::llround(silence_window_seconds * sample_rate_hz));
}

void FrontEndSettings::validate() const {
  mel.validate();
  snippet.validate();
}

int64_t FrontEndSettings::frames() const { return mel.stft.n_frames(snippet.snippet_samples(mel.sample_rate_hz)); }

namespace {
struct Preset {
  const char* name;
  double seconds;
};
constexpr Preset kPresets[] = {{"0.25_16", 0.25}, {"0.5_32", 0.5}, {"1.0_64", 1.0}, {"2.0_128", 2.0}, {"4.0_256", 4.0}};
}  // namespace

FrontEndSettings front_end_preset(const std::string& name) {
  for (const auto& p : kPresets) {
    if (name == p.name) {
      FrontEndSettings s;
      s.snippet.seconds = p.seconds;
      return s;
    }
  }
  const auto names = front_end_preset_names();
  throw SettingsError(fmt::format("front end preset '{}' is unknown: choose one of {}", name,
                                  fmt::join(names, ", ")));
}

std::vector<std::string> front_end_preset_names() {
  std::vector<std::string> out;
  for (const auto& p : kPresets) out.emplace_back(p.name);
  return out;
}

}  // namespace mh::dsp
