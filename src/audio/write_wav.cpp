#include "audio/write_wav.hpp"

#include <fmt/format.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "audio/resample.hpp"
#include "audio/sndfile_memory.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::audio {
namespace fs = std::filesystem;

namespace {

double to_db(double linear) { return 20.0 * std::log10(linear); }

int sndfile_format(SampleFormat format) {
  switch (format) {
    case SampleFormat::kPcm24:
      return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    case SampleFormat::kFloat32:
      return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    case SampleFormat::kPcm16:
    default:
      return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  }
}

}  // namespace

std::string WriteReport::describe() const {
  if (input_peak <= 0.0) return "silence, written unchanged";
  const std::string peak = fmt::format("peak {:.3f} ({:+.1f} dBFS)", input_peak, to_db(input_peak));
  if (gain == 1.0) return peak + ", written unchanged";
  return fmt::format("{} {} by {:.3f} ({:+.1f} dB) to {:+.1f} dBFS", peak, limited ? "limited" : "raised", gain,
                     to_db(gain), to_db(input_peak * gain));
}

WriteReport write_wav(const fs::path& path, const torch::Tensor& mono, int sample_rate_hz, SampleFormat format,
                      LevelPolicy policy, double peak_dbfs) {
  if (!mono.defined() || mono.dim() != 1) {
    throw ShapeError(fmt::format("write_wav {}: got {}, expected [samples]", path.string(),
                                 mono.defined() ? fmt::format("[{}]", fmt::join(mono.sizes(), ", ")) : "undefined"));
  }
  check_range("sample_rate_hz", sample_rate_hz, kMinSampleRateHz, kMaxSampleRateHz);
  check_range("peak_dbfs", peak_dbfs, -60.0, 0.0);

  const auto x = mono.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const double* in = x.data_ptr<double>();
  const auto n = static_cast<std::size_t>(x.numel());
  WriteReport report;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(in[i])) {
      throw AudioError(fmt::format("{}: cannot write: sample {} is {}", path.string(), i, in[i]));
    }
    report.input_peak = std::max(report.input_peak, std::fabs(in[i]));
  }
  const double ceiling = std::pow(10.0, peak_dbfs / 20.0);
  if (report.input_peak > 0.0 && (policy == LevelPolicy::kNormalize || report.input_peak > ceiling)) {
    report.gain = ceiling / report.input_peak;
  }
  report.limited = report.gain < 1.0;

  // The clamp guards against the last ulp of rounding: integer output must never wrap.
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<float>(std::clamp(in[i] * report.gain, -ceiling, ceiling));
  }

  SF_INFO info{};
  info.samplerate = sample_rate_hz;
  info.channels = 1;
  info.format = sndfile_format(format);
  MemoryFile memory;
  SNDFILE* file = sf_open_virtual(&MemoryFile::io(), SFM_WRITE, &info, &memory);
  if (!file) {
    throw AudioError(fmt::format("{}: cannot encode WAV: {}", path.string(), sf_strerror(nullptr)));
  }
  // The PEAK chunk carries a timestamp: leave it out so equal audio gives identical files.
  sf_command(file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  const auto written = sf_write_float(file, out.data(), static_cast<sf_count_t>(n));
  const int error = sf_error(file);
  sf_close(file);
  if (written != static_cast<sf_count_t>(n) || error != SF_ERR_NO_ERROR) {
    throw AudioError(fmt::format("{}: cannot encode WAV: wrote {} of {} samples ({})", path.string(), written, n,
                                 sf_error_number(error)));
  }
  write_file_atomic(path, memory.bytes);
  return report;
}

}  // namespace mh::audio
