#include "audio/read_audio.hpp"

#include <fmt/format.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "audio/resample.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::audio {
namespace fs = std::filesystem;

namespace {

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string describe_seconds(double s) {
  if (s >= 3600.0) return fmt::format("{:.2f} hours", s / 3600.0);
  if (s >= 60.0) return fmt::format("{:.1f} minutes", s / 60.0);
  return fmt::format("{:.3f} s", s);
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw AudioError(fmt::format("{}: {}", path.string(), what));
}

void check_is_readable_file(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) fail(path, "no such file");
  if (fs::is_directory(status)) fail(path, "is a directory, not an audio file");
  // A FIFO or device would block or never end inside the decoder.
  if (!fs::is_regular_file(status)) fail(path, "is not a regular file");
  const auto size = fs::file_size(path, ec);
  if (ec) fail(path, fmt::format("cannot read its size: {}", ec.message()));
  if (size == 0) fail(path, "is an empty file (0 bytes)");
}

std::string open_error_text(int code) {
  switch (code) {
    case SF_ERR_UNRECOGNISED_FORMAT:
      return "is not a recognised audio file (readable formats: wav, flac, ogg/vorbis, opus, mp3, aiff)";
    case SF_ERR_MALFORMED_FILE:
      return "is malformed: the audio format is recognised but the file is corrupt or truncated";
    case SF_ERR_UNSUPPORTED_ENCODING:
      return "uses an audio encoding that cannot be decoded";
    default:
      return fmt::format("cannot be opened: {}", sf_error_number(code));
  }
}

std::string decoder_log(SNDFILE* file) {
  std::string log(16384, '\0');
  sf_command(file, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
  log.resize(std::strlen(log.c_str()));
  return log;
}

/// The first line of libsndfile's log that reports a decoding error, or "" if none.
std::string decoder_error_line(const std::string& log) {
  std::size_t start = 0;
  while (start < log.size()) {
    auto end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const auto line = log.substr(start, end - start);
    if (line.rfind("ERROR", 0) == 0) return line;
    start = end + 1;
  }
  return {};
}

/// libsndfile shortens a WAV/AIFF data chunk that runs past the end of the file and logs
/// "data : <declared> (should be <actual>)"; that is a truncated file it still decodes.
bool header_declares_more_data(const std::string& log) {
  const auto at = log.find("\ndata : ");
  if (at == std::string::npos) return false;
  const auto end = log.find('\n', at + 1);
  return log.substr(at, end - at).find("should be") != std::string::npos;
}

}  // namespace

AudioBuffer read_audio(const fs::path& path, int target_rate_hz, double max_seconds) {
  if (target_rate_hz != 0) check_range("target_rate_hz", target_rate_hz, kMinSampleRateHz, kMaxSampleRateHz);
  if (!(max_seconds > 0.0)) {
    throw SettingsError(fmt::format("max_seconds = {} is out of range: must be positive", max_seconds));
  }
  check_is_readable_file(path);

  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) fail(path, open_error_text(sf_error(nullptr)));
  if (info.channels < 1) fail(path, fmt::format("declares {} channels", info.channels));
  if (info.samplerate < kMinSampleRateHz || info.samplerate > kMaxSampleRateHz) {
    fail(path, fmt::format("has a sample rate of {} Hz, outside the supported {}–{} Hz", info.samplerate,
                           kMinSampleRateHz, kMaxSampleRateHz));
  }
  const int rate = info.samplerate;
  const auto max_frames = static_cast<sf_count_t>(std::floor(max_seconds * rate));
  const auto too_long = [&](double seconds) {
    fail(path, fmt::format("is {} long, longer than the limit of {}", describe_seconds(seconds),
                           describe_seconds(max_seconds)));
  };
  // Some formats only estimate their length (SF_COUNT_MAX or 0 when unknown); the read loop
  // below enforces the limit on what is actually decoded.
  const bool length_known = info.frames > 0 && info.frames < SF_COUNT_MAX;
  if (length_known && info.frames > max_frames) too_long(static_cast<double>(info.frames) / rate);

  auto mono = std::make_unique<std::vector<float>>();
  // A corrupt header may claim hours: reserve at most ~6 minutes up front, grow past that.
  if (length_known) mono->reserve(static_cast<std::size_t>(std::min<sf_count_t>(info.frames, sf_count_t{1} << 24)));
  const int channels = info.channels;
  constexpr sf_count_t kChunkFrames = 8192;
  std::vector<float> chunk(static_cast<std::size_t>(kChunkFrames * channels));
  int64_t first_bad = -1;
  float peak = 0.0f;
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), chunk.data(), kChunkFrames);
    if (got <= 0) break;
    if (static_cast<sf_count_t>(mono->size()) + got > max_frames) {
      too_long(static_cast<double>(static_cast<sf_count_t>(mono->size()) + got) / rate);
    }
    for (sf_count_t f = 0; f < got; ++f) {
      const float* frame = chunk.data() + f * channels;
      double sum = 0.0;
      for (int c = 0; c < channels; ++c) sum += frame[c];
      const auto value = static_cast<float>(sum / channels);
      // NaN in any channel propagates into the mean, and so does an infinity.
      if (!std::isfinite(value) && first_bad < 0) first_bad = static_cast<int64_t>(mono->size());
      peak = std::max(peak, std::fabs(value));
      mono->push_back(value);
    }
  }
  const auto frames = static_cast<sf_count_t>(mono->size());
  const int read_error = sf_error(file.get());
  const std::string log = decoder_log(file.get());
  const std::string error_line = decoder_error_line(log);
  if (read_error != SF_ERR_NO_ERROR || !error_line.empty()) {
    const std::string reason = read_error != SF_ERR_NO_ERROR ? sf_strerror(file.get()) : error_line;
    fail(path, fmt::format("is truncated or corrupt: decoding failed after {} of {} ({})",
                           describe_seconds(static_cast<double>(frames) / rate),
                           length_known ? describe_seconds(static_cast<double>(info.frames) / rate) : "unknown length",
                           reason));
  }
  if (frames == 0) fail(path, "contains no audio (0 frames)");
  if (first_bad >= 0) {
    fail(path, fmt::format("contains NaN or infinite samples (first at frame {}, {})", first_bad,
                           describe_seconds(static_cast<double>(first_bad) / rate)));
  }

  AudioBuffer out;
  if (length_known && frames < info.frames) {
    out.warnings.push_back(fmt::format(
        "{}: is shorter than its header says (truncated?): decoded {} of {} frames ({} of {}); using what was read",
        path.string(), frames, info.frames, describe_seconds(static_cast<double>(frames) / rate),
        describe_seconds(static_cast<double>(info.frames) / rate)));
  } else if (header_declares_more_data(log)) {
    out.warnings.push_back(fmt::format(
        "{}: is shorter than its header says (truncated?); using the {} frames ({}) present", path.string(), frames,
        describe_seconds(static_cast<double>(frames) / rate)));
  }
  if (peak > 1.0f) {
    out.warnings.push_back(
        fmt::format("{}: has samples beyond full scale (peak {:.3f}, {:+.1f} dBFS)", path.string(), peak,
                    20.0 * std::log10(static_cast<double>(peak))));
  }

  // Hand the vector's storage to the tensor instead of copying up to hours of samples.
  float* data = mono->data();
  auto* owner = mono.release();
  auto samples = torch::from_blob(
      data, {static_cast<int64_t>(frames)}, [owner](void*) { delete owner; },
      torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCPU));
  out.sample_rate_hz = rate;
  if (target_rate_hz != 0 && target_rate_hz != rate) {
    try {
      samples = resample(samples, rate, target_rate_hz);
    } catch (const AudioError& e) {
      fail(path, e.what());
    }
    out.sample_rate_hz = target_rate_hz;
  }
  out.samples = samples;
  return out;
}

}  // namespace mh::audio
