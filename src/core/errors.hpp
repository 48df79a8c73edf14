#pragma once
/// The project's exception hierarchy. Every failure a user can cause is one of these; the CLI
/// prints `error: <what()>` on one line and exits with the class's code.
#include <stdexcept>
#include <string>

namespace mh {

/// Process exit codes, one per error class (documented in the README).
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,      ///< internal error: a bug (a tensor of the wrong shape, an unexpected exception)
  kUsage = 2,        ///< bad command line
  kSettings = 3,     ///< a setting out of range or a malformed settings file
  kInput = 4,        ///< unreadable or unusable input audio / array
  kDataset = 5,      ///< agent dataset missing, corrupt or inconsistent
  kCheckpoint = 6,   ///< model checkpoint missing, corrupt or foreign
  kIo = 7,           ///< a file could not be written
  kTraining = 8,     ///< training diverged (NaN or infinite loss); the last checkpoint is kept
  kSession = 9,      ///< a conversation session's event log is corrupt or not this session's
  kAudioDevice = 10, ///< no audio output device, or it failed while playing
  kInterrupted = 130 ///< stopped by SIGINT after saving
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  virtual ExitCode exit_code() const { return ExitCode::kFailure; }
};

/// The error classes below differ in their exit code and in what callers catch: each is its own
/// type even where two share a code.
template <ExitCode kCode>
class ErrorWithCode : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return kCode; }
};

/// A setting is out of its allowed range, or a settings file cannot be parsed.
struct SettingsError : ErrorWithCode<ExitCode::kSettings> { using ErrorWithCode::ErrorWithCode; };

/// An input (audio file, .npy array) cannot be read or is unusable.
struct InputError : ErrorWithCode<ExitCode::kInput> { using ErrorWithCode::ErrorWithCode; };

/// Audio decoding or resampling failed; names the file.
struct AudioError : InputError { using InputError::InputError; };

/// A tensor does not have the shape a function needs: "got [...], expected [...]". Inputs are
/// checked where they are read (InputError), so inside the program a wrong shape is a bug, and it
/// exits as an internal error rather than as the user's bad input.
struct ShapeError : ErrorWithCode<ExitCode::kFailure> { using ErrorWithCode::ErrorWithCode; };

struct DatasetError : ErrorWithCode<ExitCode::kDataset> { using ErrorWithCode::ErrorWithCode; };

struct CheckpointError : ErrorWithCode<ExitCode::kCheckpoint> { using ErrorWithCode::ErrorWithCode; };

/// A conversation session's event log (events.jsonl) holds a line that is not the next event,
/// or the session was started with other agents or settings than the ones given.
struct SessionError : ErrorWithCode<ExitCode::kSession> { using ErrorWithCode::ErrorWithCode; };

/// An event (a line of events.jsonl, docs/session_format.md) that the schema does not describe:
/// not a JSON object, an unknown type, a field missing or of the wrong type. A SessionError, so a
/// resumed session with such a line exits with the session's code.
struct EventError : SessionError { using SessionError::SessionError; };

/// The audio output device is missing, refuses the format, or fails while playing.
struct AudioDeviceError : ErrorWithCode<ExitCode::kAudioDevice> { using ErrorWithCode::ErrorWithCode; };

/// Writing a file failed (disk full, permissions, missing directory).
struct IoError : ErrorWithCode<ExitCode::kIo> { using ErrorWithCode::ErrorWithCode; };

/// Training produced a NaN or infinite loss; nothing of the failed step was saved.
struct TrainingError : ErrorWithCode<ExitCode::kTraining> { using ErrorWithCode::ErrorWithCode; };

/// Work was stopped by the user after saving what it had.
struct InterruptedError : ErrorWithCode<ExitCode::kInterrupted> { using ErrorWithCode::ErrorWithCode; };

}  // namespace mh
