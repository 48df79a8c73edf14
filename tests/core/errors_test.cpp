#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"

namespace mh {
namespace {

int code_of(const Error& e) { return static_cast<int>(e.exit_code()); }

TEST(Errors, EveryClassOfFailureHasItsOwnExitCode) {
  const std::vector<int> codes = {code_of(SettingsError("")),   code_of(InputError("")),
                                  code_of(DatasetError("")),    code_of(CheckpointError("")),
                                  code_of(IoError("")),         code_of(TrainingError("")),
                                  code_of(SessionError("")),    code_of(AudioDeviceError("")),
                                  code_of(InterruptedError("")), code_of(Error(""))};
  EXPECT_EQ(std::set<int>(codes.begin(), codes.end()).size(), codes.size());
  EXPECT_EQ(code_of(SessionError("")), 9);
  EXPECT_EQ(code_of(AudioDeviceError("")), 10);
}

TEST(Errors, AWrongShapeIsAnInternalErrorNotBadInput) {
  const ShapeError e("x: got [2, 3], expected [n]");
  EXPECT_EQ(e.exit_code(), ExitCode::kFailure);
  EXPECT_NE(e.exit_code(), InputError("").exit_code());
  EXPECT_EQ(dynamic_cast<const InputError*>(static_cast<const Error*>(&e)), nullptr);
}

TEST(Errors, AudioDecodingIsStillBadInput) {
  EXPECT_EQ(AudioError("a.wav: not audio").exit_code(), ExitCode::kInput);
}

TEST(Errors, SessionAndDeviceErrorsAreNeitherDatasetNorInputErrors) {
  const SessionError session("events.jsonl: line 3 is not JSON");
  const AudioDeviceError device("--play: no audio output device");
  EXPECT_EQ(dynamic_cast<const DatasetError*>(static_cast<const Error*>(&session)), nullptr);
  EXPECT_EQ(dynamic_cast<const InputError*>(static_cast<const Error*>(&device)), nullptr);
  EXPECT_STREQ(session.what(), "events.jsonl: line 3 is not JSON");
}

}  // namespace
}  // namespace mh
