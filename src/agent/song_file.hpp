#pragma once
/// A song as files: the WAV and a JSON sidecar beside it (same path, extension .json) holding its
/// latent path and how it was made, so that any song can be traced back and re-rendered. Every
/// command and the conversation write their songs through write_song.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <functional>

#include "audio/write_wav.hpp"

namespace mh::agent {

/// `wav` with its extension replaced by .json.
std::filesystem::path song_sidecar_path(const std::filesystem::path& wav);

/// Adds to the sidecar what can only be known once the WAV is on disk (the conversation's map
/// positions, heard from the written file).
using AfterWav = std::function<void(nlohmann::json& sidecar)>;

/// Writes `audio` (mono [samples]) as a 16-bit WAV (peak-limited to -1 dBFS; missing folders are
/// made) and its sidecar: the fields of `sidecar_fields` (an object: seed, model versions, kind,
/// ...), what `after_wav` adds, "sample_rate_hz", "duration_s" and "latents" (latent_rows of
/// `latents` [T, D]); the sidecar is indented by one space and ends with a newline. Both files
/// are written atomically, the WAV first, so a sidecar implies its WAV. Throws ShapeError for
/// other shapes and SettingsError when sidecar_fields is not an object, both before any file is
/// written; SettingsError when the rate is out of range, IoError when a file cannot be written.
audio::WriteReport write_song(const std::filesystem::path& wav, const torch::Tensor& audio, int sample_rate_hz,
                              const nlohmann::json& sidecar_fields, const torch::Tensor& latents,
                              const AfterWav& after_wav = {});

/// Latents [T, D] → T JSON rows of D numbers, each rounded to 6 decimal places (an exact zero of
/// either sign is written as 0.0). Throws ShapeError for another rank.
nlohmann::json latent_rows(const torch::Tensor& latents);

}  // namespace mh::agent
