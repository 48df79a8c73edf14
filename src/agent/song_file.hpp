#pragma once
/// A song as files: the WAV and a JSON sidecar beside it (same path, extension .json) holding its
/// latent path and how it was made, so that any song can be traced back and re-rendered.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>

#include "audio/write_wav.hpp"

namespace mh::agent {

/// `wav` with its extension replaced by .json.
std::filesystem::path song_sidecar_path(const std::filesystem::path& wav);

/// Writes `audio` (mono [samples]) as a 16-bit WAV (peak-limited to -1 dBFS) and its sidecar: the
/// fields of `sidecar_extra` (an object: seed, model versions, kind, ...) plus "sample_rate_hz",
/// "duration_s" and "latents" (one row of D numbers per snippet of `latents` [T, D]). Both files
/// are written atomically, the WAV first. Throws ShapeError for other shapes, SettingsError when
/// sidecar_extra is not an object or the rate is out of range, IoError when a file cannot be
/// written.
audio::WriteReport write_song(const std::filesystem::path& wav, const torch::Tensor& audio, int sample_rate_hz,
                              const nlohmann::json& sidecar_extra, const torch::Tensor& latents);

/// Latents [T, D] → JSON rows. Throws ShapeError.
nlohmann::json latent_rows(const torch::Tensor& latents);

}  // namespace mh::agent
