#include "conversation/playback.hpp"

#include <alsa/asoundlib.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <vector>

#include "audio/read_audio.hpp"

#include "core/errors.hpp"

namespace mh::conversation {
namespace {

class SystemClock : public PlaybackClock {
 public:
  TimePoint now() override { return std::chrono::steady_clock::now(); }
  void sleep_until(TimePoint t) override { std::this_thread::sleep_until(t); }
};

// ALSA prints its own diagnostics to stderr; the program reports failures in one line instead.
void silent_alsa_errors(const char*, int, const char*, int, const char*, ...) {}

class AlsaOutput : public AudioOutput {
 public:
  explicit AlsaOutput(snd_pcm_t* pcm) : pcm_(pcm) {}
  ~AlsaOutput() override { snd_pcm_close(pcm_); }

  void play(const torch::Tensor& samples, int sample_rate_hz) override {
    const auto x = samples.to(torch::kCPU, torch::kFloat32).contiguous().clamp(-1.0, 1.0);
    if (int rc = snd_pcm_set_params(pcm_, SND_PCM_FORMAT_FLOAT_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1,
                                    static_cast<unsigned>(sample_rate_hz), 1, 200000);
        rc < 0) {
      throw AudioDeviceError(fmt::format("audio output: cannot play at {} Hz: {}", sample_rate_hz, snd_strerror(rc)));
    }
    const float* p = x.data_ptr<float>();
    snd_pcm_uframes_t left = static_cast<snd_pcm_uframes_t>(x.numel());
    while (left > 0) {
      snd_pcm_sframes_t n = snd_pcm_writei(pcm_, p, left);
      if (n < 0) n = snd_pcm_recover(pcm_, static_cast<int>(n), 1);  // an underrun is not fatal
      if (n < 0) throw AudioDeviceError(fmt::format("audio output failed: {}", snd_strerror(static_cast<int>(n))));
      p += n;
      left -= static_cast<snd_pcm_uframes_t>(n);
    }
    snd_pcm_drain(pcm_);
  }

 private:
  snd_pcm_t* pcm_;
};

}  // namespace

std::unique_ptr<AudioOutput> open_default_audio_output() {
  snd_lib_error_set_handler(silent_alsa_errors);
  snd_pcm_t* pcm = nullptr;
  if (int rc = snd_pcm_open(&pcm, "default", SND_PCM_STREAM_PLAYBACK, 0); rc < 0) {
    throw AudioDeviceError(fmt::format("--play: no audio output device ({})", snd_strerror(rc)));
  }
  return std::make_unique<AlsaOutput>(pcm);
}

std::shared_ptr<PlaybackClock> system_playback_clock() { return std::make_shared<SystemClock>(); }

Playback::Playback(std::unique_ptr<AudioOutput> output, std::shared_ptr<PlaybackClock> clock, double silence_after_s)
    : output_(std::move(output)), clock_(clock ? std::move(clock) : system_playback_clock()),
      silence_after_s_(silence_after_s) {
  if (!output_) throw Error("Playback needs an audio output");
  if (!(silence_after_s_ >= 0)) throw SettingsError(fmt::format("silence after a song = {} s must be >= 0", silence_after_s));
}

Playback::~Playback() {
  try {
    wait();
  } catch (const std::exception&) {
    // A device error of the last song has nowhere to go during destruction.
  }
}

void Playback::start(const torch::Tensor& samples, int sample_rate_hz) {
  wait();
  if (samples.dim() != 1) {
    throw ShapeError(fmt::format("playback: got [{}], expected [samples]", fmt::join(samples.sizes(), ", ")));
  }
  if (sample_rate_hz <= 0) throw SettingsError(fmt::format("playback sample rate {} Hz must be positive", sample_rate_hz));
  const double seconds = static_cast<double>(samples.numel()) / sample_rate_hz;
  const auto start = clock_->now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ends_at_ = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(seconds + silence_after_s_));
    playing_ = true;
    error_ = nullptr;
  }
  auto copy = samples.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  worker_ = std::thread([this, copy, sample_rate_hz] {
    std::exception_ptr error;
    try {
      output_->play(copy, sample_rate_hz);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = error;
  });
}

void Playback::wait() {
  if (!worker_.joinable()) return;
  worker_.join();
  PlaybackClock::TimePoint ends_at;
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ends_at = ends_at_;
    error = error_;
    error_ = nullptr;
  }
  // The device may return before the last sample sounds, or (a fake one) at once: the song's
  // length plus the silence is measured on the clock from its start.
  if (!error) clock_->sleep_until(ends_at);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    playing_ = false;
  }
  if (error) std::rethrow_exception(error);
}

bool Playback::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return playing_;
}

PlaybackSink::PlaybackSink(std::filesystem::path session_dir, std::unique_ptr<Playback> playback)
    : session_dir_(std::move(session_dir)), playback_(std::move(playback)) {
  if (!playback_) throw Error("PlaybackSink needs a playback");
}

void PlaybackSink::on_event(const events::Event& event) {
  if (failed_) return;
  const auto* song_event = events::get_if<events::Song>(event);
  if (!song_event && !events::get_if<events::SessionEnd>(event) && !events::get_if<events::DreamStart>(event)) return;
  try {
    // The previous song and its silence end before anything else is heard or a dream begins.
    playback_->wait();
    if (!song_event || song_event->wav.empty()) return;
    const auto song = audio::read_audio(session_dir_ / song_event->wav);
    playback_->start(song.samples, song.sample_rate_hz);
    ++started_;
  } catch (const Error& e) {
    failed_ = true;
    std::fprintf(stderr, "warning: live playback stopped: %s\n", e.what());
  }
}

}  // namespace mh::conversation
