#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "audio/audio_files.hpp"
#include "audio/read_audio.hpp"
#include "audio/write_wav.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "cli/settings_file.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "dsp/front_end.hpp"
#include "dsp/join.hpp"
#include "dsp/mel_to_audio.hpp"
#include "dsp/quality.hpp"

namespace mh::cli {
namespace fs = std::filesystem;
namespace {

struct RoundtripOptions {
  std::string corpus, out;  ///< folders
  int songs = 4;
  std::uint64_t seed = 0;
};

struct PartFigures {
  std::string name;
  std::string preset;
  int songs = 0;
  int64_t snippets = 0;
  double audio_s = 0, front_end_s = 0, voice_s = 0, rendered_s = 0, lsd_sum = 0;
};

using Clock = std::chrono::steady_clock;

PartFigures render_part(const fs::path& folder, const std::string& preset, const RoundtripOptions& o) {
  PartFigures f{folder.filename().string(), preset};
  ProgramSettings settings = load_program_settings("", preset);
  const auto& fe = settings.front_end;
  const int sr = fe.mel.sample_rate_hz;
  const dsp::MelFrontEnd front_end(fe.mel);
  const dsp::MelToAudio voice(fe.mel, settings.voice, torch::kCPU);
  const fs::path out_dir = fs::path(o.out) / f.name;
  auto files = audio::list_audio_files(folder);
  if (o.songs > 0 && static_cast<int>(files.size()) > o.songs) files.resize(o.songs);
  for (const auto& file : files) {
    const auto buffer = audio::read_audio(file, sr);
    auto t0 = Clock::now();
    const auto cut = dsp::snippets_from(buffer.samples, fe, front_end);
    const auto& mel = cut.mel;
    f.front_end_s += seconds_since(t0);
    if (mel.size(0) == 0) continue;
    t0 = Clock::now();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    const auto raw = voice.snippets(mel, gen);
    std::vector<torch::Tensor> pieces;
    for (int64_t i = 0; i < raw.size(0); ++i) pieces.push_back(dsp::trim_to_rising_zero_crossings(raw[i]));
    const auto song = dsp::crossfade_join(pieces, settings.voice.crossfade_samples);
    f.voice_s += seconds_since(t0);
    const auto wav = out_dir / (file.stem().string() + ".wav");
    audio::write_wav(wav, song, sr);
    save_settings_beside(wav, settings);
    f.lsd_sum += dsp::log_spectral_distance_db(raw, cut.audio.slice(1, 0, raw.size(1)), fe.mel.stft) * mel.size(0);
    f.snippets += mel.size(0);
    f.audio_s += static_cast<double>(cut.kept_samples) / sr;
    f.rendered_s += static_cast<double>(song.size(0)) / sr;
    ++f.songs;
    fmt::print("  {}: {} snippets → {}\n", file.filename().string(), mel.size(0), wav.string());
  }
  return f;
}

void run_roundtrip(const RoundtripOptions& o) {
  if (!fs::is_directory(o.corpus)) throw InputError(fmt::format("{}: corpus folder not found", o.corpus));
  std::vector<fs::path> parts;
  for (const auto& e : fs::directory_iterator(o.corpus)) {
    if (e.is_directory()) parts.push_back(e.path());
  }
  std::sort(parts.begin(), parts.end());
  if (parts.empty()) parts.push_back(o.corpus);
  // The original paired a 4-s agent with a 2-s one.
  const std::vector<std::string> presets = {"4.0_256", "2.0_128"};
  std::vector<PartFigures> figures;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    fmt::print("{} (snippets {}):\n", parts[i].filename().string(), presets[i % presets.size()]);
    figures.push_back(render_part(parts[i], presets[i % presets.size()], o));
  }
  fmt::print("\n{:<10} {:>7} {:>6} {:>9} {:>9} {:>14} {:>14} {:>8}\n", "part", "preset", "songs", "snippets",
             "audio s", "mel audio s/s", "voice × rt", "lsd dB");
  for (const auto& f : figures) {
    fmt::print("{:<10} {:>7} {:>6} {:>9} {:>9.1f} {:>14.0f} {:>14.1f} {:>8.2f}\n", f.name, f.preset, f.songs,
               f.snippets, f.audio_s, f.audio_s / std::max(f.front_end_s, 1e-9),
               f.rendered_s / std::max(f.voice_s, 1e-9), f.snippets ? f.lsd_sum / f.snippets : 0.0);
  }
  fmt::print("\nrendered songs are in {}\n", o.out);
}

}  // namespace

void add_roundtrip_command(CLI::App& app) {
  auto [cmd, opts] =
      add_command(app, "roundtrip", "Audio → mel snippets → audio for a corpus folder, with quality and speed figures",
                  run_roundtrip);
  cmd->add_option("--corpus", opts->corpus, "Corpus folder: one subfolder of audio per agent")->required();
  cmd->add_option("--out", opts->out, "Output folder")->required();
  cmd->add_option("--songs", opts->songs, "Songs per agent (0: all)")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Seed")->capture_default_str();
}

}  // namespace mh::cli
