#include "dsp/settings_toml.hpp"

#include "core/check.hpp"

namespace mh::dsp {
namespace {

std::string scale_name(MelScale s) { return s == MelScale::kHtk ? "htk" : "slaney"; }
std::string norm_name(MelNorm n) { return n == MelNorm::kNone ? "none" : "slaney"; }

}  // namespace

void read_toml(TomlSection& t, MelSettings& out) {
  t.read("sample_rate_hz", out.sample_rate_hz);
  t.read("n_fft", out.stft.n_fft);
  t.read("win_length", out.stft.win_length);
  t.read("hop_length", out.stft.hop_length);
  t.read("n_mels", out.n_mels);
  t.read("fmin_hz", out.fmin_hz);
  t.read("fmax_hz", out.fmax_hz);
  std::string scale = scale_name(out.scale);
  t.read("scale", scale);
  check_choice(t.key_name("scale"), scale, scale == "slaney" || scale == "htk", "slaney, htk");
  out.scale = scale == "htk" ? MelScale::kHtk : MelScale::kSlaney;
  std::string norm = norm_name(out.norm);
  t.read("norm", norm);
  check_choice(t.key_name("norm"), norm, norm == "slaney" || norm == "none", "slaney, none");
  out.norm = norm == "none" ? MelNorm::kNone : MelNorm::kSlaney;
  t.read("amin", out.amin);
  t.read("top_db", out.top_db);
  t.read("db_floor", out.db_floor);
  t.read("db_ceiling", out.db_ceiling);
  t.reject_unknown_keys();
}

void read_toml(TomlSection& t, SnippetSettings& out) {
  t.read("seconds", out.seconds);
  t.read("silence_window_seconds", out.silence_window_seconds);
  t.read("silence_threshold_dbfs", out.silence_threshold_dbfs);
  t.reject_unknown_keys();
}

toml::table to_toml(const MelSettings& s) {
  return toml::table{{"sample_rate_hz", s.sample_rate_hz}, {"n_fft", s.stft.n_fft},
                     {"win_length", s.stft.win_length},    {"hop_length", s.stft.hop_length},
                     {"n_mels", s.n_mels},                 {"fmin_hz", s.fmin_hz},
                     {"fmax_hz", s.fmax_hz},               {"scale", scale_name(s.scale)},
                     {"norm", norm_name(s.norm)},          {"amin", s.amin},
                     {"top_db", s.top_db},                 {"db_floor", s.db_floor},
                     {"db_ceiling", s.db_ceiling}};
}

toml::table to_toml(const SnippetSettings& s) {
  return toml::table{{"seconds", s.seconds},
                     {"silence_window_seconds", s.silence_window_seconds},
                     {"silence_threshold_dbfs", s.silence_threshold_dbfs}};
}

}  // namespace mh::dsp

// ---- voice
namespace mh::dsp {
namespace {
std::string init_name(InversionSettings::Init i) { return i == InversionSettings::Init::kZero ? "zero" : "random"; }
std::string method_name(InversionSettings::MelInverse m) {
  return m == InversionSettings::MelInverse::kPseudoInverse ? "pinv" : "nnls";
}
}  // namespace

void read_toml(TomlSection& t, InversionSettings& out) {
  t.read("griffin_lim_iterations", out.griffin_lim_iterations);
  t.read("momentum", out.momentum);
  std::string init = init_name(out.init);
  t.read("init", init);
  check_choice(t.key_name("init"), init, init == "random" || init == "zero", "random, zero");
  out.init = init == "zero" ? InversionSettings::Init::kZero : InversionSettings::Init::kRandom;
  t.read("clip_db", out.clip_db);
  t.read("crossfade_samples", out.crossfade_samples);
  std::string method = method_name(out.method);
  t.read("mel_inverse", method);
  check_choice(t.key_name("mel_inverse"), method, method == "pinv" || method == "nnls", "pinv, nnls");
  out.method = method == "pinv" ? InversionSettings::MelInverse::kPseudoInverse : InversionSettings::MelInverse::kNnls;
  t.read("nnls_iterations", out.nnls_iterations);
  t.read("pinv_rcond", out.pinv_rcond);
  t.reject_unknown_keys();
}

toml::table to_toml(const InversionSettings& s) {
  return toml::table{{"griffin_lim_iterations", s.griffin_lim_iterations},
                     {"momentum", s.momentum},
                     {"init", init_name(s.init)},
                     {"clip_db", s.clip_db},
                     {"crossfade_samples", s.crossfade_samples},
                     {"mel_inverse", method_name(s.method)},
                     {"nnls_iterations", s.nnls_iterations},
                     {"pinv_rcond", s.pinv_rcond}};
}
}  // namespace mh::dsp
