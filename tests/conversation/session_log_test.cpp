#include <gtest/gtest.h>

#include <fstream>

#include "conversation/session_log.hpp"
#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh::conversation {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

constexpr const char* kRoundOne = R"({"round":1,"seq":0,"time":"2026-01-01T00:00:00Z","type":"round_start"})";
constexpr const char* kRoundTwo = R"({"round":2,"seq":1,"time":"2026-01-01T00:00:00Z","type":"round_start"})";

TEST(SessionLog, ACorruptCompleteLineIsASessionErrorWithItsOwnExitCode) {
  test::TempDir dir;
  const auto path = dir / "events.jsonl";
  write_text(path, std::string(kRoundOne) + "\nnot json\n" + kRoundTwo + "\n");
  try {
    SessionLog log(path);
    FAIL() << "expected SessionError";
  } catch (const SessionError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2 is not JSON"), std::string::npos) << e.what();
    EXPECT_EQ(static_cast<int>(e.exit_code()), 9);
  }
}

TEST(SessionLog, AnEventOutOfSequenceIsASessionError) {
  test::TempDir dir;
  const auto path = dir / "events.jsonl";
  write_text(path, std::string(kRoundOne) + "\n{\"seq\":5,\"type\":\"round_start\",\"round\":2,\"time\":\"2026-01-01T00:00:00Z\"}\n");
  EXPECT_THROW(SessionLog{path}, SessionError);
}

TEST(SessionLog, ATornLastLineIsDroppedNotRefused) {
  test::TempDir dir;
  const auto path = dir / "events.jsonl";
  write_text(path, std::string(kRoundOne) + "\n{\"seq\":1,\"ty");
  SessionLog log(path);
  ASSERT_EQ(log.size(), 1u);
  const auto next = log.emit(events::RoundStart{2});
  EXPECT_EQ(next.seq, 1);
  EXPECT_EQ(SessionLog(path).size(), 2u);
}

TEST(SessionLog, ForgottenEventsAreCountedButNoLongerHeld) {
  test::TempDir dir;
  const auto path = dir / "events.jsonl";
  SessionLog log(path);
  for (int round = 1; round <= 4; ++round) log.emit(events::RoundStart{round});
  log.forget_before(3);
  EXPECT_EQ(log.size(), 4u);
  EXPECT_THROW(log.at(2), SessionError);
  EXPECT_EQ(std::get<events::RoundStart>(log.at(3).body).round, 4);
  EXPECT_EQ(log.emit(events::RoundStart{5}).seq, 4);  // numbering goes on
  EXPECT_EQ(std::get<events::RoundStart>(log.at(4).body).round, 5);
  EXPECT_THROW(log.at(5), SessionError);
  EXPECT_EQ(SessionLog(path).size(), 5u);  // the file keeps everything
}

}  // namespace
}  // namespace mh::conversation
