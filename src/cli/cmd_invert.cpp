#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "audio/write_wav.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/settings_file.hpp"
#include "core/errors.hpp"
#include "core/npy.hpp"
#include "dsp/mel_to_audio.hpp"

namespace mh::cli {
namespace {

struct InvertOptions {
  std::string snippets;
  std::string out;
  std::string preset = "2.0_128";
  std::string settings;
  int iterations = -1;
  std::uint64_t seed = 0;
};

void run_invert(const InvertOptions& o) {
  // The snippets' own settings, saved beside them by `mel`, win over the preset.
  std::string settings_path = o.settings;
  const auto beside = std::filesystem::path(o.snippets + ".settings.toml");
  if (settings_path.empty() && std::filesystem::exists(beside)) settings_path = beside.string();
  ProgramSettings settings = load_program_settings(settings_path, o.preset);
  if (o.iterations >= 0) settings.voice.griffin_lim_iterations = o.iterations;
  settings.validate();

  auto mel = read_npy(o.snippets);
  if (mel.dim() == 4 && mel.size(1) == 1) mel = mel.squeeze(1);
  const auto& m = settings.front_end.mel;
  if (mel.dim() != 3 || mel.size(1) != m.n_mels) {
    throw InputError(fmt::format("{}: got shape {}, expected (snippets, {}, frames)", o.snippets,
                                 fmt::join(mel.sizes(), ", "), m.n_mels));
  }
  if (!torch::isfinite(mel).all().item<bool>()) throw InputError(fmt::format("{}: holds NaN or Inf values", o.snippets));
  mel = mel.to(torch::kFloat32).clamp(0.0, 1.0);

  const dsp::MelToAudio voice(m, settings.voice, torch::kCPU);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  const auto t0 = std::chrono::steady_clock::now();
  const auto song = voice.song(mel, gen);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto report = audio::write_wav(o.out, song, m.sample_rate_hz);
  save_settings_beside(o.out, settings);
  const double audio_s = static_cast<double>(song.size(0)) / m.sample_rate_hz;
  fmt::print("{}: {:.2f} s of audio from {} snippets in {:.2f} s ({:.0f}× real time); {}\n", o.out, audio_s,
             mel.size(0), seconds, audio_s / std::max(seconds, 1e-9), report.describe());
}

}  // namespace

void add_invert_command(CLI::App& app) {
  auto [cmd, opts] =
      add_command(app, "invert", "Render normalised mel snippets (.npy) to audio with the voice path", run_invert);
  cmd->add_option("snippets", opts->snippets, "Snippets .npy, shape (snippets, mels, frames), values in [0, 1]")
      ->required();
  cmd->add_option("--out", opts->out, "Output WAV file")->required();
  auto* preset = cmd->add_option("--preset", opts->preset,
                                 "Snippet preset, used when no <snippets>.settings.toml lies beside the input")
                     ->capture_default_str();
  cmd->add_option("--settings", opts->settings, "Settings file (TOML)")->excludes(preset);
  cmd->add_option("--iterations", opts->iterations, "Griffin-Lim iterations (default from settings: 32)")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--seed", opts->seed, "Seed of the random initial phase")->capture_default_str();
}

}  // namespace mh::cli
