#pragma once
/// Decoding audio files (wav, flac, ogg/vorbis, opus, mp3, aiff — whatever libsndfile reads) to
/// one mono channel at a chosen sample rate.
#include <filesystem>

#include "audio/audio_buffer.hpp"

namespace mh::audio {

/// Default limit on the length of one input file: three hours.
constexpr double kDefaultMaxSeconds = 3 * 3600.0;

/// Reads `path`, averages all channels to mono and resamples (libsoxr, very high quality) to
/// `target_rate_hz`; 0 keeps the file's own rate. The result is float32 on the CPU.
///
/// Truncated files: when the decoder reports an error part way (a FLAC stream that loses sync,
/// an Ogg file whose last pages are missing) the file is refused as truncated or corrupt. When
/// the decoder stops early without an error (a WAV or MP3 shorter than its header says) the
/// frames it could read are kept and the shortfall is reported in `warnings`.
///
/// Throws SettingsError when target_rate_hz is neither 0 nor in [kMinSampleRateHz,
/// kMaxSampleRateHz] or max_seconds is not positive. Throws AudioError, its message starting
/// with the path, when the file is missing, a directory or not a regular file, empty, not
/// audio, malformed, truncated, holds no frames, holds NaN or infinite samples, or is longer
/// than `max_seconds`.
AudioBuffer read_audio(const std::filesystem::path& path, int target_rate_hz = 0,
                       double max_seconds = kDefaultMaxSeconds);

}  // namespace mh::audio
