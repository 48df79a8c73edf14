#pragma once
/// Writing mono WAV files with a level policy that never lets integer samples wrap around.
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace mh::audio {

enum class SampleFormat { kPcm16, kPcm24, kFloat32 };

/// kPeakLimit scales the signal down only when its peak exceeds the ceiling; kNormalize scales
/// it (up or down) so that its peak sits exactly at the ceiling. Silence is written unchanged.
enum class LevelPolicy { kPeakLimit, kNormalize };

/// What write_wav did to the level, for the caller to log.
struct WriteReport {
  double input_peak = 0.0;  ///< largest |sample| before scaling (linear, 1 = full scale)
  double gain = 1.0;        ///< linear factor applied to every sample
  bool limited = false;     ///< true when the signal was scaled down (gain < 1)
  /// One line such as "peak 2.000 (+6.0 dBFS) scaled by 0.446 (-7.0 dB) to -1.0 dBFS".
  std::string describe() const;
};

/// Writes mono [samples] (any float dtype, any device) as a WAV file of `format`, atomically
/// (a temporary file in the same directory, then a rename). The level policy is applied to
/// every format; the written peak never exceeds 10^(peak_dbfs/20).
/// Throws ShapeError when mono is not 1-D; SettingsError when sample_rate_hz is outside
/// [kMinSampleRateHz, kMaxSampleRateHz] or peak_dbfs outside [-60, 0]; AudioError naming the
/// file when the samples hold NaN/Inf or encoding fails; IoError when the file cannot be written.
WriteReport write_wav(const std::filesystem::path& path, const torch::Tensor& mono, int sample_rate_hz,
                      SampleFormat format = SampleFormat::kPcm16, LevelPolicy policy = LevelPolicy::kPeakLimit,
                      double peak_dbfs = -1.0);

}  // namespace mh::audio
