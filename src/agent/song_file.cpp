#include "agent/song_file.hpp"

#include <fmt/format.h>

#include <cmath>

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
  // Rounded in float64: a sidecar stays readable and its bytes do not depend on float printing.
  const auto x = latents.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* p = x.data_ptr<double>();
  const int64_t d = x.size(1);
  auto rows = nlohmann::json::array();
  for (int64_t t = 0; t < x.size(0); ++t) {
    auto row = nlohmann::json::array();
    for (int64_t k = 0; k < d; ++k) {
      const double v = p[t * d + k];
      row.push_back(v == 0 ? 0.0 : std::round(v * 1e6) / 1e6);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

audio::WriteReport write_song(const fs::path& wav, const torch::Tensor& audio, int sample_rate_hz,
                              const nlohmann::json& sidecar_fields, const torch::Tensor& latents,
                              const AfterWav& after_wav) {
  if (!sidecar_fields.is_object()) {
    throw SettingsError(fmt::format("{}: sidecar fields must be a JSON object, got {}", wav.string(),
                                    sidecar_fields.type_name()));
  }
  auto sidecar = sidecar_fields;
  sidecar["latents"] = latent_rows(latents);  // checked before any file is written
  const auto report = audio::write_wav(wav, audio, sample_rate_hz);
  if (after_wav) after_wav(sidecar);
  sidecar["sample_rate_hz"] = sample_rate_hz;
  sidecar["duration_s"] = static_cast<double>(audio.numel()) / sample_rate_hz;
  write_file_atomic(song_sidecar_path(wav), sidecar.dump(1) + "\n");
  return report;
}

}  // namespace mh::agent
