#pragma once
/// Naming and writing of a session's songs: `songs/NNNN_<singer>_<kind>.wav` and its JSON
/// sidecar, both written atomically (the sidecar last, so a sidecar implies its WAV).
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace mh::conversation {

/// "songs/0007_Valerio_variation.wav", relative to the session folder.
std::filesystem::path song_wav_path(int64_t song, const std::string& singer, const std::string& kind);

/// Writes the WAV (16-bit, peak-limited at −1 dBFS). Throws IoError / AudioError.
void write_song_wav(const std::filesystem::path& session, const std::filesystem::path& wav_relative,
                    const torch::Tensor& audio, int sample_rate_hz);
/// Writes `sidecar` (plus sample_rate_hz and duration_s) next to the WAV. Throws IoError.
void write_song_sidecar(const std::filesystem::path& session, const std::filesystem::path& wav_relative,
                        const torch::Tensor& audio, int sample_rate_hz, nlohmann::json sidecar);

/// A latent path [T, D] as rows of numbers, rounded to 6 significant digits.
nlohmann::json latent_rows(const torch::Tensor& latents);

}  // namespace mh::conversation
