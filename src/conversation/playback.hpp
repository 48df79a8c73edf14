#pragma once
/// Live playback (`converse --play`): each song plays in real time on an audio output while the
/// listener already computes its answer; the conversation then waits for the song's end plus the
/// original's 1 s of silence before the next one. The timing logic is separate from the device,
/// so it is testable without one.
#include <torch/torch.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "conversation/event_sink.hpp"

namespace mh::conversation {

/// Something that plays mono float samples. play() blocks until the device has taken all of
/// them (real time for a sound card).
class AudioOutput {
 public:
  virtual ~AudioOutput() = default;
  /// samples: [n] float32 on the CPU. Throws AudioDeviceError when the device fails.
  virtual void play(const torch::Tensor& samples, int sample_rate_hz) = 0;
};

/// The default output of the system's sound card (ALSA "default"). Throws AudioDeviceError with
/// one line ("no audio output device: ...") when there is none, so `--play` fails at start.
std::unique_ptr<AudioOutput> open_default_audio_output();

/// Time as playback sees it; tests substitute a manual clock.
class PlaybackClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~PlaybackClock() = default;
  virtual TimePoint now() = 0;
  virtual void sleep_until(TimePoint t) = 0;
};
/// std::chrono::steady_clock and std::this_thread::sleep_until.
std::shared_ptr<PlaybackClock> system_playback_clock();

class Playback {
 public:
  static constexpr double kSilenceAfterSong_s = 1.0;  ///< the original's pause after every song

  /// clock: null → the system clock.
  explicit Playback(std::unique_ptr<AudioOutput> output, std::shared_ptr<PlaybackClock> clock = nullptr,
                    double silence_after_s = kSilenceAfterSong_s);
  /// Waits for a song still playing.
  ~Playback();
  Playback(const Playback&) = delete;
  Playback& operator=(const Playback&) = delete;

  /// Starts playing `samples` ([n] float) and returns at once. Waits first for the previous song
  /// (and its silence) if it is still playing.
  void start(const torch::Tensor& samples, int sample_rate_hz);
  /// Blocks until the current song has played and its silence has passed; rethrows a device
  /// error from the song. Returns at once when nothing was started.
  void wait();
  /// Whether a song was started and not yet waited for.
  bool busy() const;

 private:
  std::unique_ptr<AudioOutput> output_;
  std::shared_ptr<PlaybackClock> clock_;
  double silence_after_s_;
  std::thread worker_;
  PlaybackClock::TimePoint ends_at_{};
  std::exception_ptr error_;
  mutable std::mutex mutex_;
  bool playing_ = false;
};

/// Playback as an event sink, so `converse --play` needs no change to the loop: a `song` event
/// (the song is saved) first waits for the previous song and its silence, then starts this one
/// from its WAV in the session folder and returns, so the listener computes while it plays;
/// `session_end` waits for the last one. A device that fails part way is reported once on
/// stderr and playback stops; the conversation goes on.
class PlaybackSink : public EventSink {
 public:
  PlaybackSink(std::filesystem::path session_dir, std::unique_ptr<Playback> playback);
  void on_event(const events::Event& event) override;
  /// Songs started so far.
  int songs_started() const { return started_; }

 private:
  std::filesystem::path session_dir_;
  std::unique_ptr<Playback> playback_;
  bool failed_ = false;
  int started_ = 0;
};

}  // namespace mh::conversation
