#include "dsp/mel_settings.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::dsp {

void MelSettings::validate() const {
  check_range("mel.sample_rate_hz", sample_rate_hz, 1000, 384000);
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
  if (!(amin > 0 && amin <= 1)) {
    throw SettingsError(fmt::format("mel.amin = {} is out of range: allowed (0, 1]", amin));
  }
  check_range("mel.top_db", top_db, -1e9, 1e9);
  check_range("mel.db_floor", db_floor, -1000.0, 1000.0);
  if (!(db_ceiling > db_floor && db_ceiling <= 1000.0)) {
    throw SettingsError(fmt::format("mel.db_ceiling = {} is out of range: allowed ({}, 1000] (above db_floor)",
                                    db_ceiling, db_floor));
  }
}

void SnippetSettings::validate() const {
  check_range("snippet.seconds", seconds, 0.25, 4.0);
  check_range("snippet.silence_window_seconds", silence_window_seconds, 0.01, 60.0);
  check_range("snippet.silence_threshold_dbfs", silence_threshold_dbfs, -200.0, 0.0);
}

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
constexpr Preset kPresets[] = {{"0.25_16", 0.25}, {"2.0_128", 2.0}, {"4.0_256", 4.0}};
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
