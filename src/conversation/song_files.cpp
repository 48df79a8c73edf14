#include "conversation/song_files.hpp"

#include <fmt/format.h>

#include <cmath>

#include "audio/write_wav.hpp"
#include "core/files.hpp"

namespace mh::conversation {
namespace fs = std::filesystem;

fs::path song_wav_path(int64_t song, const std::string& singer, const std::string& kind) {
  return fs::path("songs") / fmt::format("{:04d}_{}_{}.wav", song, singer, kind);
}

void write_song_wav(const fs::path& session, const fs::path& wav_relative, const torch::Tensor& audio,
                    int sample_rate_hz) {
  const fs::path wav = session / wav_relative;
  fs::create_directories(wav.parent_path());
  audio::write_wav(wav, audio, sample_rate_hz);
}

void write_song_sidecar(const fs::path& session, const fs::path& wav_relative, const torch::Tensor& audio,
                        int sample_rate_hz, nlohmann::json sidecar) {
  const fs::path wav = session / wav_relative;
  sidecar["sample_rate_hz"] = sample_rate_hz;
  sidecar["duration_s"] = static_cast<double>(audio.numel()) / sample_rate_hz;
  fs::path json = wav;
  json.replace_extension(".json");
  write_file_atomic(json, sidecar.dump(1) + "\n");
}

nlohmann::json latent_rows(const torch::Tensor& latents) {
  const auto x = latents.to(torch::kCPU, torch::kFloat64).contiguous();
  nlohmann::json rows = nlohmann::json::array();
  const int64_t d = x.dim() == 2 ? x.size(1) : 0;
  const double* p = x.data_ptr<double>();
  for (int64_t t = 0; x.dim() == 2 && t < x.size(0); ++t) {
    nlohmann::json row = nlohmann::json::array();
    for (int64_t k = 0; k < d; ++k) {
      const double v = p[t * d + k];
      row.push_back(v == 0 ? 0.0 : std::round(v * 1e6) / 1e6);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace mh::conversation
