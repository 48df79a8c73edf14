#include <fmt/format.h>

#include <memory>

#include "audio/read_audio.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/settings_file.hpp"
#include "core/npy.hpp"
#include "dsp/front_end.hpp"

namespace mh::cli {
namespace {

struct MelOptions {
  std::string audio;
  std::string out;
  std::string preset = "2.0_128";
  std::string settings;
  bool keep_silence = false;
};

void run_mel(const MelOptions& o) {
  const ProgramSettings settings = load_program_settings(o.settings, o.preset);
  const auto& fe = settings.front_end;
  const auto buffer = audio::read_audio(o.audio, fe.mel.sample_rate_hz);
  const auto cut = dsp::snippets_from(buffer.samples, fe, dsp::MelFrontEnd(fe.mel), {!o.keep_silence});
  const auto& mel = cut.mel;
  write_npy(o.out, mel);
  save_settings_beside(o.out, settings);
  fmt::print("{}: {} snippets of {} × {} (mels × frames) from {:.1f} s of audio ({:.1f} s after silence removal)\n",
             o.out, mel.size(0), mel.size(1), mel.size(2),
             static_cast<double>(buffer.samples.size(0)) / buffer.sample_rate_hz,
             static_cast<double>(cut.kept_samples) / buffer.sample_rate_hz);
}

}  // namespace

void add_mel_command(CLI::App& app) {
  auto [cmd, opts] =
      add_command(app, "mel", "Cut a recording into snippets and write their normalised log-mel spectrograms", run_mel);
  cmd->add_option("audio", opts->audio, "Audio file (wav, flac, ogg, opus, mp3)")->required();
  cmd->add_option("--out", opts->out, "Output .npy: float32, shape (snippets, mels, frames), values in [0, 1]")
      ->required();
  auto* preset = cmd->add_option("--preset", opts->preset, "Snippet preset <seconds>_<frames>: 0.25_16, 0.5_32, 1.0_64, 2.0_128, 4.0_256")
                     ->capture_default_str();
  cmd->add_option("--settings", opts->settings, "Settings file (TOML) with [mel] and [snippet] tables")
      ->excludes(preset);
  cmd->add_flag("--keep-silence", opts->keep_silence, "Do not drop silent windows before cutting");
}

}  // namespace mh::cli
