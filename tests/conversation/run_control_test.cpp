#include "conversation/run_control.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace mh::conversation {
namespace {
using nlohmann::json;

ControlNote parse(const std::string& address, const std::string& types, std::vector<ControlArg> args) {
  return parse_control_message(address, types, args, 2);
}

TEST(ControlMessage, EachCommandIsReadFromItsAddress) {
  for (const auto& [word, kind] : {std::pair{"pause", ControlKind::kPause}, std::pair{"resume", ControlKind::kResume},
                                   std::pair{"dream", ControlKind::kDream}, std::pair{"stop", ControlKind::kStop}}) {
    const auto note = parse(std::string("/metahuman/") + word, "", {});
    ASSERT_TRUE(note.command) << word << ": " << note.ignored;
    EXPECT_EQ(note.command->kind, kind) << word;
    EXPECT_EQ(to_string(kind), word);
  }
}

TEST(ControlMessage, SigmaTakesANumberForEveryAgentOrAnIndexAndANumber) {
  const auto all = parse("/metahuman/sigma", "f", {0.7});
  ASSERT_TRUE(all.command) << all.ignored;
  EXPECT_EQ(all.command->kind, ControlKind::kSigma);
  EXPECT_DOUBLE_EQ(all.command->sigma, 0.7);
  EXPECT_EQ(all.command->agent, -1);
  const auto integer = parse("/metahuman/sigma", "i", {std::int64_t{2}});
  ASSERT_TRUE(integer.command) << integer.ignored;
  EXPECT_DOUBLE_EQ(integer.command->sigma, 2.0);
  const auto one = parse("/metahuman/sigma", "if", {std::int64_t{1}, 0.25});
  ASSERT_TRUE(one.command) << one.ignored;
  EXPECT_EQ(one.command->agent, 1);
  EXPECT_DOUBLE_EQ(one.command->sigma, 0.25);
}

TEST(ControlMessage, MalformedAndUnknownMessagesAreIgnoredWithAReason) {
  struct Case {
    std::string address, types;
    std::vector<ControlArg> args;
    std::string reason;
  };
  const std::vector<Case> cases{
      {"/metahuman/sigma", "s", {std::string("loud")}, "takes a number"},
      {"/metahuman/sigma", "", {}, "takes a number"},
      {"/metahuman/sigma", "f", {-0.5}, "out of range"},
      {"/metahuman/sigma", "f", {std::nan("")}, "out of range"},
      {"/metahuman/sigma", "if", {std::int64_t{2}, 0.5}, "agent index 2 is out of range"},
      {"/metahuman/sigma", "ff", {1.0, 0.5}, "takes a number"},
      {"/metahuman/pause", "i", {std::int64_t{1}}, "takes no arguments"},
      {"/metahuman/jump", "", {}, "unknown address"},
      {"/Valerio", "s", {std::string("hi")}, "unknown address"},
      {"", "", {}, "unknown address"},
  };
  for (const auto& c : cases) {
    const auto note = parse(c.address, c.types, c.args);
    EXPECT_FALSE(note.command) << c.address << " " << c.types;
    EXPECT_NE(note.ignored.find(c.reason), std::string::npos) << c.address << " " << c.types << ": " << note.ignored;
    const auto e = control_event(note, {"Valerio", "Dennis"});
    ASSERT_TRUE(std::holds_alternative<events::ControlIgnored>(e));
    EXPECT_EQ(std::get<events::ControlIgnored>(e).address, c.address);
    EXPECT_FALSE(RunControl().apply(e).has_value());
  }
}

TEST(RunControl, StateComesFromTheEventsAlone) {
  RunControl control;
  const auto event = [](const std::string& address, const std::string& types, std::vector<ControlArg> args) {
    return control_event(parse_control_message(address, types, args, 2), {"Valerio", "Dennis"});
  };
  EXPECT_FALSE(control.paused());
  EXPECT_FALSE(control.sigma_for(0));
  EXPECT_EQ(control.apply(event("/metahuman/pause", "", {})), ControlKind::kPause);
  EXPECT_TRUE(control.paused());
  control.apply(event("/metahuman/sigma", "if", {std::int64_t{1}, 0.9}));
  EXPECT_FALSE(control.sigma_for(0));
  EXPECT_DOUBLE_EQ(*control.sigma_for(1), 0.9);
  const auto all = event("/metahuman/sigma", "f", {0.3});
  const auto& all_line = std::get<events::Control>(all).line;
  EXPECT_NE(all_line.find("every agent"), std::string::npos) << all_line;
  control.apply(all);
  EXPECT_DOUBLE_EQ(*control.sigma_for(0), 0.3);
  EXPECT_DOUBLE_EQ(*control.sigma_for(1), 0.3);  // a later σ for everyone wins
  EXPECT_EQ(control.apply(event("/metahuman/resume", "", {})), ControlKind::kResume);
  EXPECT_FALSE(control.paused());
  // The same events read back from the log (as text) give the same state.
  RunControl replayed;
  for (const auto& e : {event("/metahuman/pause", "", {}), event("/metahuman/sigma", "f", {0.3})}) {
    replayed.apply(events::parse_event(json::parse(events::to_json(events::Event{0, "", e}).dump())).body);
  }
  EXPECT_TRUE(replayed.paused());
  EXPECT_DOUBLE_EQ(*replayed.sigma_for(1), 0.3);
}

TEST(ControlQueue, AFloodIsCountedInsteadOfQueued) {
  ControlQueue queue(3);
  for (int i = 0; i < 10; ++i) queue.push(parse("/metahuman/dream", "", {}));
  std::int64_t dropped = -1;
  EXPECT_EQ(queue.take(&dropped).size(), 3u);
  EXPECT_EQ(dropped, 7);
  EXPECT_TRUE(queue.take(&dropped).empty());
  EXPECT_EQ(dropped, 0);
  EXPECT_EQ(std::string(events::type_of(dropped_control_event(7))), "control_ignored");
}

}  // namespace
}  // namespace mh::conversation
