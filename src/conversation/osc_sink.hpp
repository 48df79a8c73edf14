#pragma once
/// OSC for live visuals (docs/osc.md): the original piece's messages, so that its Processing
/// sketch works unchanged, plus telemetry under /metahuman/... . Sent over UDP with liblo.
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "conversation/event_sink.hpp"

namespace mh::conversation {

/// Where OSC goes: "HOST:PORT", "HOST" (port 5005) or ":PORT" / "PORT" (host 127.0.0.1).
struct OscTarget {
  std::string host = "127.0.0.1";
  int port = 5005;  ///< the original's port, [1, 65535]
};
/// Throws SettingsError naming `--osc`, the text and what is allowed.
OscTarget parse_osc_target(const std::string& text);

struct OscSinkSettings {
  OscTarget target;
  /// The session folder, to read each song's sidecar (its per-snippet map positions); empty:
  /// no positions.
  std::filesystem::path session_dir;
  /// true: a song's snippet positions go out as it plays (one per snippet length) and its
  /// `/<Name>Done` after its duration plus the original's 1 s of silence; false: all at once.
  bool real_time = true;
  bool original_messages = true;  ///< /Valerio, /DennisWaits, /iteration, ...
  bool telemetry = true;          ///< /metahuman/...
};

/// One OSC argument: int32, float32 or string.
using OscArg = std::variant<std::int32_t, float, std::string>;
struct OscMessage {
  std::string path;
  std::vector<OscArg> args;
};

/// Turns one event into the messages it causes, with the delay (seconds after the event) at which
/// each is due. Pure apart from reading the song's sidecar from `settings.session_dir`.
struct TimedOscMessage {
  double delay_s = 0;
  OscMessage message;
};
std::vector<TimedOscMessage> osc_messages_for(const events::Event& event, const OscSinkSettings& settings);

/// OSC address text made of characters OSC allows (others become '_').
std::string osc_address_part(const std::string& text);

/// Sends events as OSC from a worker thread, so the conversation never waits on the network.
/// A missing receiver is not an error (UDP); messages liblo fails to send are counted.
class OscSink : public EventSink {
 public:
  /// Throws SettingsError when the target's host cannot be used.
  explicit OscSink(OscSinkSettings settings);
  /// Sends what is still scheduled at once, then stops the worker.
  ~OscSink() override;
  OscSink(const OscSink&) = delete;
  OscSink& operator=(const OscSink&) = delete;

  /// A `song`, `dream_start` or `session_end` event first sends at once what the previous song
  /// still had scheduled (its remaining positions and its Done), so messages never reorder.
  void on_event(const events::Event& event) override;
  /// Blocks until every message scheduled so far, due or not, has been sent.
  void flush();
  std::int64_t messages_sent() const;
  std::int64_t messages_failed() const;

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  void send(const OscMessage& message);

  OscSinkSettings settings_;
  std::shared_ptr<void> address_;  // lo_address
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  // Due time, then arrival order: a song's later positions never hold up another event's messages.
  std::map<std::pair<Clock::time_point, std::uint64_t>, OscMessage> queue_;
  std::uint64_t next_seq_ = 0;
  bool stop_ = false;
  bool busy_ = false;
  std::int64_t sent_ = 0, failed_ = 0;
  std::thread worker_;
};

}  // namespace mh::conversation
