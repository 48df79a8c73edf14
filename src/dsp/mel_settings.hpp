#pragma once
/// Settings of the front end (audio → normalised log-mel snippets). Defaults are the original
/// system's exact settings: 44.1 kHz, n_fft = win = 1380, hop 690, centred with zero padding,
/// 128 Slaney mel bands from 0 to 16 kHz, power_to_db with amin 1e-10 and top_db 80, and the
/// fixed map [-100, 100] dB → [0, 1]; snippets of 2 s (128 frames).
#include <cstdint>
#include <string>
#include <vector>

#include "dsp/mel.hpp"
#include "dsp/stft.hpp"

namespace mh { template <typename S> struct Field; }  // core/settings_fields.hpp

namespace mh::dsp {

struct MelSettings {
  int sample_rate_hz = 44100;  ///< [1000, 384000]
  StftSettings stft;           ///< n_fft = win = 1380, hop 690, centred, zero padding
  int n_mels = 128;            ///< [1, n_fft/2+1]
  double fmin_hz = 0;          ///< [0, fmax_hz)
  double fmax_hz = 16000;      ///< (fmin_hz, sample_rate_hz/2]
  MelScale scale = MelScale::kSlaney;
  MelNorm norm = MelNorm::kSlaney;
  double amin = 1e-10;         ///< power floor before the log, (0, 1]
  double top_db = 80;          ///< dB below each snippet's peak kept; <= 0: no floor
  double db_floor = -100;      ///< dB mapped to 0
  double db_ceiling = 100;     ///< dB mapped to 1 (> db_floor)

  /// Throws SettingsError naming the field, the value and the allowed range (fmax above
  /// Nyquist, win_length > n_fft, hop 0, ...).
  void validate() const;
};

struct SnippetSettings {
  double seconds = 2.0;                 ///< snippet length, [0.25, 4] s
  double silence_window_seconds = 2.0;  ///< window length for silence removal, [0.01, 60] s
  double silence_threshold_dbfs = -60;  ///< a window whose true RMS is below this is dropped, [-200, 0]

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
  /// Samples per snippet: round(seconds · sample_rate_hz).
  int64_t snippet_samples(int sample_rate_hz) const;
  /// Samples per silence window: round(silence_window_seconds · sample_rate_hz), at least 1.
  int64_t silence_window_samples(int sample_rate_hz) const;
};

struct FrontEndSettings {
  MelSettings mel;
  SnippetSettings snippet;

  /// Validates both parts; throws SettingsError.
  void validate() const;
  /// STFT frames per snippet (128 for the defaults).
  int64_t frames() const;
};

/// The fields of the [mel] table (with the STFT's, stft_fields()) and of the [snippet] table:
/// name, meaning and allowed range, for validation, TOML and --describe-settings.
const std::vector<Field<MelSettings>>& mel_fields();
const std::vector<Field<SnippetSettings>>& snippet_fields();

/// Presets named "<seconds>_<frames>" at 44.1 kHz with the original STFT: "0.25_16", "0.5_32",
/// "1.0_64", "2.0_128" and "4.0_256". Unknown name → SettingsError listing the allowed names.
FrontEndSettings front_end_preset(const std::string& name);
/// The preset names, shortest snippet first.
std::vector<std::string> front_end_preset_names();

}  // namespace mh::dsp
