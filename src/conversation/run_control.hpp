#pragma once
/// Steering a running conversation (docs/osc.md): commands that arrive from outside (OSC) wait in
/// a thread-safe queue until the loop polls it between songs. Each one the loop takes becomes an
/// event of the session's log (`control`, or `control_ignored` for a message it could not use),
/// and the state those events build (paused? σ?) is rebuilt from the log on resume.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "conversation/session_events.hpp"

namespace mh::conversation {

enum class ControlKind { kPause, kResume, kDream, kSigma, kStop };
std::string to_string(ControlKind kind);

struct ControlCommand {
  ControlKind kind = ControlKind::kPause;
  double sigma = 0;  ///< kSigma: the variations' latent noise from now on, [0, kMaxControlSigma]
  int agent = -1;    ///< kSigma: the agent's index (0 = the first given), -1 = every agent
};

/// What one incoming message became: a command, or the reason it was ignored.
struct ControlNote {
  std::optional<ControlCommand> command;
  std::string address;  ///< as received
  std::string types;    ///< the OSC type tag without its ','
  std::string ignored;  ///< why it was ignored (empty for a command)
};

/// The largest σ a control message may set (RoleSettings::variation_sigma's range).
inline constexpr double kMaxControlSigma = 100;

/// One received argument, widened: int32/int64 → int64_t, float32/float64 → double, text.
using ControlArg = std::variant<std::int64_t, double, std::string>;

/// Reads one message: /metahuman/pause, /resume, /dream, /stop (no arguments), /metahuman/sigma
/// with one number (every agent) or an integer agent index and a number. `agents`: how many
/// agents the conversation has. Never throws: anything else is a note with `ignored` set.
ControlNote parse_control_message(const std::string& address, const std::string& types,
                                  const std::vector<ControlArg>& args, int agents);

/// Notes from a receiving thread to the conversation's thread. Bounded, so that a flood of
/// messages cannot grow memory or the log: beyond `capacity` pending notes the rest are counted.
class ControlQueue {
 public:
  explicit ControlQueue(size_t capacity = 64) : capacity_(capacity) {}
  void push(ControlNote note);
  /// Every pending note, in arrival order; `dropped` gets how many were counted instead.
  std::vector<ControlNote> take(std::int64_t* dropped = nullptr);

 private:
  std::mutex mutex_;
  std::vector<ControlNote> pending_;
  std::int64_t dropped_ = 0;
  size_t capacity_;
};

/// The log event of a note, `control` or `control_ignored` (its `line` says what happened, for
/// the console).
events::EventBody control_event(const ControlNote& note, const std::vector<std::string>& agent_names);
/// The `control_ignored` event for notes a full queue dropped.
events::ControlIgnored dropped_control_event(std::int64_t dropped);

/// The state control events build. The same events give the same state, whether they are new
/// or replayed from the log.
class RunControl {
 public:
  /// Applies a `control` event (other types are ignored) and returns its command.
  std::optional<ControlKind> apply(const events::EventBody& event);
  bool paused() const { return paused_; }
  /// The σ set for agent `index`, if any (one set for that agent wins over one for every agent).
  std::optional<double> sigma_for(int index) const;

 private:
  bool paused_ = false;
  std::optional<double> sigma_all_;
  std::map<int, double> sigma_of_;
};

/// True for the event types the control poll writes.
bool is_control_event(const events::EventBody& event);

}  // namespace mh::conversation
