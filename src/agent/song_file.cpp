#include "agent/song_file.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::agent {
namespace fs = std::filesystem;

fs::path song_sidecar_path(const fs::path& wav) {
  auto p = wav;
  return p.replace_extension(".json");
}

nlohmann::json latent_rows(const torch::Tensor& latents) {
  if (!latents.defined() || latents.dim() != 2) {
    throw ShapeError(fmt::format("song latents: got shape [{}], expected [T, D]",
                                 latents.defined() ? fmt::format("{}", fmt::join(latents.sizes(), ", ")) : ""));
  }
  const auto rows = latents.to(torch::kCPU, torch::kFloat32).contiguous();
  auto out = nlohmann::json::array();
  const float* p = rows.data_ptr<float>();
  const int64_t d = rows.size(1);
  for (int64_t i = 0; i < rows.size(0); ++i) out.push_back(std::vector<float>(p + i * d, p + (i + 1) * d));
  return out;
}

audio::WriteReport write_song(const fs::path& wav, const torch::Tensor& audio, int sample_rate_hz,
                              const nlohmann::json& sidecar_extra, const torch::Tensor& latents) {
  if (!sidecar_extra.is_object()) {
    throw SettingsError(fmt::format("{}: sidecar fields must be a JSON object, got {}", wav.string(),
                                    sidecar_extra.type_name()));
  }
  auto sidecar = sidecar_extra;
  sidecar["latents"] = latent_rows(latents);  // checked before any file is written
  const auto report = audio::write_wav(wav, audio, sample_rate_hz);
  sidecar["sample_rate_hz"] = sample_rate_hz;
  sidecar["duration_s"] = static_cast<double>(audio.size(0)) / sample_rate_hz;
  write_file_atomic(song_sidecar_path(wav), sidecar.dump(1));
  return report;
}

}  // namespace mh::agent
