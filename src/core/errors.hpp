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

/// A setting is out of its allowed range, or a settings file cannot be parsed.
class SettingsError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kSettings; }
};

/// An input (audio file, .npy array) cannot be read or is unusable.
class InputError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kInput; }
};

/// Audio decoding or resampling failed; names the file.
class AudioError : public InputError {
 public:
  using InputError::InputError;
};

/// A tensor does not have the shape a function needs: "got [...], expected [...]". Inputs are
/// checked where they are read (InputError), so inside the program a wrong shape is a bug, and it
/// exits as an internal error rather than as the user's bad input.
class ShapeError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kFailure; }
};

class DatasetError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kDataset; }
};

class CheckpointError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kCheckpoint; }
};

/// A conversation session's event log (events.jsonl) holds a line that is not the next event,
/// or the session was started with other agents or settings than the ones given.
class SessionError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kSession; }
};

/// The audio output device is missing, refuses the format, or fails while playing.
class AudioDeviceError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kAudioDevice; }
};

/// Writing a file failed (disk full, permissions, missing directory).
class IoError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kIo; }
};

/// Training produced a NaN or infinite loss; nothing of the failed step was saved.
class TrainingError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kTraining; }
};

/// Work was stopped by the user after saving what it had.
class InterruptedError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kInterrupted; }
};

}  // namespace mh
