// Whole conversations with tiny agents steered from outside: control commands, a conversation
// that runs until stopped, and its bounded disk.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "conversation/conversation.hpp"
#include "conversation/conversation_test_util.hpp"
#include "conversation/run_control.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace test_util;

/// Calls `fn` with every new event (from the conversation's thread).
class OnEvent : public EventSink {
 public:
  explicit OnEvent(std::function<void(const json&)> fn) : fn_(std::move(fn)) {}
  void on_event(const events::Event& e) override { fn_(events::to_json(e)); }

 private:
  std::function<void(const json&)> fn_;
};

ControlNote command(const std::string& address, const std::string& types = "", std::vector<ControlArg> args = {}) {
  return parse_control_message(address, types, args, 2);
}

std::vector<std::string> types_of(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e["type"].get<std::string>());
  return out;
}

TEST(Conversation, ControlCommandsSteerTheLoopAndAResumedSessionReplaysThem) {
  Trial run;
  auto s = small_settings();
  s.rounds = 2;
  s.dream_every = 0;
  ControlQueue queue;
  OnEvent steer([&](const json& e) {
    if (e["type"] != "song") return;
    if (e["song"] == 0) {
      queue.push(command("/metahuman/sigma", "f", {0.9}));
      queue.push(command("/metahuman/dream"));
      queue.push(command("/metahuman/jump"));  // unknown: logged and ignored
    }
    if (e["song"] == 3) queue.push(command("/metahuman/stop"));
  });
  auto o = run.options(s);
  o.control = &queue;
  o.sinks = {&steer};
  const auto first = converse(o);
  EXPECT_TRUE(first.stopped);
  EXPECT_TRUE(first.stop_command);
  const auto stopped = run.events();
  const auto types = types_of(stopped);
  // The commands taken before the second song, in arrival order; the dream follows its command.
  const auto sigma_at = std::find(types.begin(), types.end(), "control") - types.begin();
  ASSERT_LT(static_cast<size_t>(sigma_at) + 7, types.size());
  EXPECT_EQ(stopped[static_cast<size_t>(sigma_at)]["command"], "sigma");
  EXPECT_EQ(stopped[static_cast<size_t>(sigma_at) + 1]["command"], "dream");
  EXPECT_EQ(std::vector<std::string>(types.begin() + sigma_at + 2, types.begin() + sigma_at + 7),
            (std::vector<std::string>{"dream_start", "dream_end", "dream_start", "dream_end", "control_ignored"}));
  EXPECT_EQ(stopped.back()["type"], "control");
  EXPECT_EQ(stopped.back()["command"], "stop");
  EXPECT_EQ(of_type(stopped, "song").size(), 4u);
  const auto variation = of_type(stopped, "song")[2];
  EXPECT_EQ(variation["kind"], "variation");
  EXPECT_DOUBLE_EQ(variation["sigma"].get<double>(), 0.9);

  // Resumed without control input: the logged commands are replayed (σ stays 0.9, the stop is
  // not obeyed again, the dream is not dreamt again) and the session finishes.
  auto again = run.options(s);
  again.resume = true;
  const auto second = converse(again);
  EXPECT_TRUE(second.finished);
  const auto all = run.events();
  ASSERT_GT(all.size(), stopped.size());
  for (size_t i = 0; i < stopped.size(); ++i) EXPECT_EQ(all[i]["type"], stopped[i]["type"]) << i;
  EXPECT_EQ(of_type(all, "control").size(), 3u);
  EXPECT_EQ(of_type(all, "dream_end").size(), 2u);
  const auto songs = of_type(all, "song");
  ASSERT_EQ(songs.size(), 12u);
  for (const auto& song : songs) {
    if (song["kind"] == "variation") EXPECT_DOUBLE_EQ(song["sigma"].get<double>(), 0.9) << song.dump();
  }
}

TEST(Conversation, PauseWaitsForResumeAndAPausedSessionContinuedWithoutControlResumes) {
  Trial run;
  auto s = small_settings();
  s.dream_every = 0;
  ControlQueue queue;
  std::atomic<bool> stop{false};
  std::thread resumer;
  int pauses = 0;
  OnEvent steer([&](const json& e) {
    if (e["type"] == "song" && (e["song"] == 0 || e["song"] == 2)) queue.push(command("/metahuman/pause"));
    if (e["type"] == "control" && e["command"] == "pause" && ++pauses == 1) {
      // Another thread resumes while the loop waits.
      resumer = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        queue.push(command("/metahuman/resume"));
      });
    } else if (e["type"] == "control" && e["command"] == "pause") {
      stop = true;  // the second pause ends the run while paused
    }
  });
  auto o = run.options(s);
  o.control = &queue;
  o.sinks = {&steer};
  o.stop = &stop;
  const auto first = converse(o);
  resumer.join();
  EXPECT_TRUE(first.stopped);
  EXPECT_FALSE(first.stop_command);
  const auto events = run.events();
  const auto types = types_of(events);
  const auto pause_at = static_cast<size_t>(std::find(types.begin(), types.end(), "control") - types.begin());
  ASSERT_LT(pause_at + 1, events.size());
  EXPECT_EQ(events[pause_at]["command"], "pause");
  EXPECT_EQ(events[pause_at + 1]["command"], "resume");  // nothing was sung while paused
  EXPECT_EQ(events.back()["command"], "pause");
  EXPECT_EQ(of_type(events, "song").size(), 3u);

  auto again = run.options(s);
  again.resume = true;
  EXPECT_TRUE(converse(again).finished);
  const auto all = run.events();
  EXPECT_EQ(all[events.size()]["type"], "control");
  EXPECT_EQ(all[events.size()]["command"], "resume");
  EXPECT_NE(all[events.size()]["line"].get<std::string>().find("no control input"), std::string::npos);
  EXPECT_EQ(of_type(all, "song").size(), 6u);
}

TEST(Conversation, RunsUntilStoppedWithBoundedSnapshotsAndSongsAndContinues) {
  Trial run;
  auto s = small_settings();
  s.rounds = 0;
  s.dream_snapshots_keep = 1;
  s.songs_max_mb = 1e-6;  // one byte: every WAV the loop no longer reads goes
  std::atomic<bool> stop{false};
  int stop_at_round = 3;
  OnEvent stopper([&](const json& e) {
    if (e["type"] == "round_start" && e["round"] == stop_at_round) stop = true;
  });
  auto o = run.options(s);
  o.stop = &stop;
  o.sinks = {&stopper};
  const auto first = converse(o);
  EXPECT_TRUE(first.stopped);
  EXPECT_TRUE(first.until_stopped);
  EXPECT_EQ(first.rounds_done, 2);

  const auto check_disk = [&](int rounds) {
    const auto events = run.events();
    EXPECT_EQ(of_type(events, "dream_end").size(), static_cast<size_t>(2 * rounds));
    // Per agent: the last dream's two snapshots, and the emancipation dream's if there was one.
    size_t expected = 0;
    for (const char* agent : {"Valerio", "Dennis"}) {
      expected += 2;
      for (const auto& d : of_type(events, "dream_end")) {
        const auto& t = d["measures"]["t_star_dream"];
        if (d["agent"] == agent && t.is_number() && t.get<int>() < rounds && t.get<int>() == d["dream"].get<int>()) {
          expected += 2;
        }
      }
    }
    const fs::directory_iterator dreams(run.session() / "dreams");
    EXPECT_EQ(static_cast<size_t>(std::distance(dreams, fs::directory_iterator())), expected);
    // Every sidecar stays; only the songs of the last round (sung since the last dreams) keep their WAV.
    const auto songs = of_type(events, "song");
    EXPECT_EQ(songs.size(), static_cast<size_t>(6 * rounds));
    EXPECT_FALSE(of_type(events, "songs_pruned").empty());
    for (const auto& song : songs) {
      EXPECT_TRUE(fs::exists(run.session() / song["sidecar"].get<std::string>())) << song["sidecar"];
      EXPECT_EQ(fs::exists(run.session() / song["wav"].get<std::string>()), song["round"] == rounds) << song["wav"];
    }
  };
  check_disk(2);

  stop = false;
  stop_at_round = 4;
  auto again = run.options(s);
  again.resume = true;
  again.stop = &stop;
  again.sinks = {&stopper};
  const auto second = converse(again);
  EXPECT_TRUE(second.stopped);
  EXPECT_EQ(second.rounds_done, 3);
  EXPECT_TRUE(of_type(run.events(), "session_end").empty());
  check_disk(3);
}

}  // namespace
}  // namespace mh::conversation
