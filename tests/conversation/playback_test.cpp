// Playback's timing with a manual clock and fake outputs: no audio device, no real waiting.
#include "conversation/playback.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "audio/write_wav.hpp"
#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
using conversation::Playback;
using conversation::PlaybackClock;
using namespace std::chrono_literals;

class ManualClock : public PlaybackClock {
 public:
  TimePoint now() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
  }
  void sleep_until(TimePoint t) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (t > now_) now_ = t;
  }
  double seconds() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::chrono::duration<double>(now_ - TimePoint{}).count();
  }

 private:
  std::mutex mutex_;
  TimePoint now_{};
};

/// Plays nothing; play() returns when the test releases it, so a song "lasts" until then.
class HeldOutput : public conversation::AudioOutput {
 public:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    int started = 0;
    bool released = false;
    int64_t samples = 0;
    int rate = 0;
  };
  explicit HeldOutput(std::shared_ptr<State> s) : s_(std::move(s)) {}
  void play(const torch::Tensor& samples, int rate) override {
    std::unique_lock<std::mutex> lock(s_->mutex);
    ++s_->started;
    s_->samples = samples.numel();
    s_->rate = rate;
    s_->changed.notify_all();
    s_->changed.wait(lock, [&] { return s_->released; });
  }

 private:
  std::shared_ptr<State> s_;
};

class InstantOutput : public conversation::AudioOutput {
 public:
  void play(const torch::Tensor&, int) override {}
};

class BrokenOutput : public conversation::AudioOutput {
 public:
  void play(const torch::Tensor&, int) override { throw Error("audio output failed: device unplugged"); }
};

TEST(Playback, StartReturnsWhileTheSongPlaysSoTheListenerCanWork) {
  auto state = std::make_shared<HeldOutput::State>();
  auto clock = std::make_shared<ManualClock>();
  Playback playback(std::make_unique<HeldOutput>(state), clock);
  playback.start(torch::zeros({300}), 100);  // 3 s
  {
    std::unique_lock<std::mutex> lock(state->mutex);
    state->changed.wait(lock, [&] { return state->started == 1; });
    EXPECT_EQ(state->samples, 300);
    EXPECT_EQ(state->rate, 100);
    state->released = true;  // the listener's work happens here, while the song plays
    state->changed.notify_all();
  }
  EXPECT_TRUE(playback.busy());
  playback.wait();
  EXPECT_FALSE(playback.busy());
  EXPECT_DOUBLE_EQ(clock->seconds(), 4.0);  // 3 s of song and the original's 1 s of silence
}

TEST(Playback, WaitLastsTheSongPlusOneSecondEvenWhenTheDeviceReturnsEarly) {
  auto clock = std::make_shared<ManualClock>();
  Playback playback(std::make_unique<InstantOutput>(), clock);
  playback.start(torch::zeros({44100 * 2}), 44100);
  playback.wait();
  EXPECT_DOUBLE_EQ(clock->seconds(), 3.0);
  playback.wait();  // nothing playing: returns at once
  EXPECT_DOUBLE_EQ(clock->seconds(), 3.0);
}

TEST(Playback, ANewSongWaitsForThePreviousOneAndItsSilence) {
  auto clock = std::make_shared<ManualClock>();
  Playback playback(std::make_unique<InstantOutput>(), clock, 0.5);
  playback.start(torch::zeros({100}), 100);  // 1 s
  playback.start(torch::zeros({200}), 100);  // starts at 1.5 s
  EXPECT_DOUBLE_EQ(clock->seconds(), 1.5);
  playback.wait();
  EXPECT_DOUBLE_EQ(clock->seconds(), 4.0);
}

TEST(Playback, ADeviceErrorComesBackFromWait) {
  Playback playback(std::make_unique<BrokenOutput>(), std::make_shared<ManualClock>());
  playback.start(torch::zeros({10}), 100);
  EXPECT_THROW(playback.wait(), Error);
  EXPECT_FALSE(playback.busy());
}

TEST(Playback, RefusesStereoAndBadRates) {
  Playback playback(std::make_unique<InstantOutput>(), std::make_shared<ManualClock>());
  EXPECT_THROW(playback.start(torch::zeros({2, 10}), 100), ShapeError);
  EXPECT_THROW(playback.start(torch::zeros({10}), 0), SettingsError);
}

TEST(Playback, NoAudioDeviceFailsAtOpenWithOneLine) {
  try {
    auto output = conversation::open_default_audio_output();
    GTEST_SKIP() << "this machine has an audio output";
  } catch (const AudioDeviceError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.exit_code(), ExitCode::kAudioDevice);
    EXPECT_EQ(message.rfind("--play: no audio output device", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

/// Records what it was asked to play.
class RecordingOutput : public conversation::AudioOutput {
 public:
  explicit RecordingOutput(std::shared_ptr<std::vector<int64_t>> played) : played_(std::move(played)) {}
  void play(const torch::Tensor& samples, int) override { played_->push_back(samples.numel()); }

 private:
  std::shared_ptr<std::vector<int64_t>> played_;
};

conversation::events::Event song(int n, const std::string& wav) {
  conversation::events::Song s;
  s.song = n;
  s.wav = wav;
  return {n, "", s};
}

conversation::events::Event playback_event(conversation::events::EventBody body) { return {0, "", std::move(body)}; }

conversation::events::Listen heard(const std::string& agent, std::int64_t song) {
  conversation::events::Listen e;
  e.agent = agent;
  e.song = song;
  return e;
}

TEST(PlaybackSink, PlaysEachSongFromTheSessionAndWaitsForItBeforeTheNext) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "songs");
  audio::write_wav(dir / "songs/0000_A_human.wav", torch::zeros({16000}), 16000);  // 1 s
  audio::write_wav(dir / "songs/0001_B_imitation.wav", torch::zeros({8000}), 16000);  // 0.5 s
  auto clock = std::make_shared<ManualClock>();
  auto played = std::make_shared<std::vector<int64_t>>();
  conversation::PlaybackSink sink(dir.path(), std::make_unique<Playback>(std::make_unique<RecordingOutput>(played), clock));
  sink.on_event(song(0, "songs/0000_A_human.wav"));
  EXPECT_DOUBLE_EQ(clock->seconds(), 0.0);  // returns at once: the listener works while it plays
  sink.on_event(playback_event(heard("B", 0)));
  EXPECT_DOUBLE_EQ(clock->seconds(), 0.0);
  sink.on_event(song(1, "songs/0001_B_imitation.wav"));
  EXPECT_DOUBLE_EQ(clock->seconds(), 2.0);  // song 0 and its second of silence came first
  sink.on_event(playback_event(conversation::events::SessionEnd{1}));
  EXPECT_DOUBLE_EQ(clock->seconds(), 3.5);
  EXPECT_EQ(*played, (std::vector<int64_t>{16000, 8000}));
  EXPECT_EQ(sink.songs_started(), 2);
}

TEST(PlaybackSink, AnUnreadableSongStopsPlaybackWithoutStoppingTheConversation) {
  test::TempDir dir;
  auto played = std::make_shared<std::vector<int64_t>>();
  conversation::PlaybackSink sink(dir.path(), std::make_unique<Playback>(std::make_unique<RecordingOutput>(played),
                                                                          std::make_shared<ManualClock>()));
  EXPECT_NO_THROW(sink.on_event(song(0, "songs/missing.wav")));
  EXPECT_NO_THROW(sink.on_event(playback_event(conversation::events::SessionEnd{1})));
  EXPECT_EQ(sink.songs_started(), 0);
  EXPECT_TRUE(played->empty());
}

}  // namespace
}  // namespace mh
