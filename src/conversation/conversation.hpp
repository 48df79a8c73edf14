#pragma once
/// The conversation: two agents sing to each other, listen, imitate, vary, remember what they
/// heard and dream (retrain) every few rounds, all recorded in a session folder
/// (docs/session_format.md) from which an interrupted run resumes to the same bytes.
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "conversation/conversation_settings.hpp"
#include "conversation/event_sink.hpp"
#include "conversation/run_control.hpp"

namespace mh::conversation {

struct ConversationOptions {
  std::filesystem::path session;
  std::filesystem::path agent_a, agent_b;
  ConversationSettings settings;
  /// Continue the session in `session` (its own saved settings win). Without it the session
  /// folder must not hold a conversation yet.
  bool resume = false;
  /// "auto", "cpu" or "cuda" for both agents' models; empty: each agent's own setting.
  std::string device;
  const std::atomic<bool>* stop = nullptr;  ///< checked between steps and during dreams
  std::vector<EventSink*> sinks;            ///< every new event, in order (not replayed ones)
  /// Commands from outside (OSC), polled between songs; none: a paused session resumes at once.
  ControlQueue* control = nullptr;
  /// Training progress inside a dream: agent, stage ("ml1"/"ml2"), epoch, loss.
  std::function<void(const std::string&, const std::string&, int64_t, double)> dream_progress;
  /// The songs cap is about to remove these WAVs (whole paths): the last moment to draw their
  /// spectrograms. Called on the loop's thread; it must not throw.
  std::function<void(const std::vector<std::filesystem::path>&)> before_songs_removed;
};

struct ConversationOutcome {
  int rounds_done = 0;
  bool stopped = false;   ///< the stop flag or a stop command ended it early; --resume continues
  bool stop_command = false;  ///< a stop command (not the stop flag) ended it
  bool finished = false;  ///< every round is done
  bool until_stopped = false;  ///< the session's settings have rounds = 0: only a stop ends it
};

/// Runs (or resumes) the conversation. Throws SettingsError, SessionError (a log or session folder
/// that does not fit these settings and agents), DatasetError, CheckpointError,
/// IoError with one line naming the file or field.
ConversationOutcome converse(const ConversationOptions& options);

}  // namespace mh::conversation
