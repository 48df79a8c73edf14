// OSC control messages sent with liblo to a receiver on a free port of 127.0.0.1.
#include "conversation/osc_control.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/errors.hpp"

namespace mh::conversation {
namespace {

/// Notes until `n` have arrived (or a generous wait for a loaded machine has passed).
std::vector<ControlNote> wait_for(ControlQueue& queue, size_t n) {
  std::vector<ControlNote> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (auto& note : queue.take()) out.push_back(std::move(note));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return out;
}

void send_raw(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(fd);
}

TEST(OscControl, MessagesSentWithLibloBecomeCommandsOrIgnoredNotesInOrder) {
  ControlQueue queue;
  OscControl control({"127.0.0.1", 0}, queue, 2);
  ASSERT_GT(control.port(), 0);
  const auto port = std::to_string(control.port());
  lo_address to = lo_address_new("127.0.0.1", port.c_str());
  lo_send(to, "/metahuman/sigma", "f", 0.7f);
  lo_send(to, "/metahuman/pause", "");
  lo_send(to, "/metahuman/sigma", "s", "loud");  // wrong type
  lo_send(to, "/metahuman/jump", "");            // unknown address
  lo_send(to, "/metahuman/sigma", "id", 1, 0.25);
  lo_send(to, "/metahuman/resume", "");
  lo_send(to, "/metahuman/dream", "");
  lo_send(to, "/metahuman/stop", "");
  lo_address_free(to);
  send_raw(control.port(), "not OSC at all");
  const auto notes = wait_for(queue, 9);
  ASSERT_EQ(notes.size(), 9u);
  ASSERT_TRUE(notes[0].command) << notes[0].ignored;
  EXPECT_EQ(notes[0].command->kind, ControlKind::kSigma);
  EXPECT_NEAR(notes[0].command->sigma, 0.7, 1e-6);
  ASSERT_TRUE(notes[1].command);
  EXPECT_EQ(notes[1].command->kind, ControlKind::kPause);
  EXPECT_FALSE(notes[2].command);
  EXPECT_EQ(notes[2].address, "/metahuman/sigma");
  EXPECT_EQ(notes[2].types, "s");
  EXPECT_FALSE(notes[3].command);
  EXPECT_NE(notes[3].ignored.find("unknown address"), std::string::npos) << notes[3].ignored;
  ASSERT_TRUE(notes[4].command) << notes[4].ignored;
  EXPECT_EQ(notes[4].command->agent, 1);
  EXPECT_DOUBLE_EQ(notes[4].command->sigma, 0.25);
  EXPECT_EQ(notes[5].command->kind, ControlKind::kResume);
  EXPECT_EQ(notes[6].command->kind, ControlKind::kDream);
  EXPECT_EQ(notes[7].command->kind, ControlKind::kStop);
  EXPECT_FALSE(notes[8].command);
  EXPECT_NE(notes[8].ignored.find("not an OSC message"), std::string::npos) << notes[8].ignored;
}

TEST(OscControl, APortInUseIsASettingsErrorNamingTheOption) {
  ControlQueue queue;
  OscControl first({"127.0.0.1", 0}, queue, 2);
  try {
    OscControl second({"127.0.0.1", first.port()}, queue, 2);
    FAIL() << "bound the same port twice";
  } catch (const SettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("--control"), std::string::npos) << e.what();
  }
}

TEST(ControlAddress, ParsesPortAndHostForms) {
  EXPECT_EQ(parse_control_address("5006").port, 5006);
  EXPECT_EQ(parse_control_address("5006").host, "127.0.0.1");
  EXPECT_EQ(parse_control_address(":7000").port, 7000);
  const auto all = parse_control_address("0.0.0.0:7001");
  EXPECT_EQ(all.host, "0.0.0.0");
  EXPECT_EQ(all.port, 7001);
  for (const char* bad : {"", "70000", "abc", "host:12", "1.2.3:5", ":-1"}) {
    EXPECT_THROW(parse_control_address(bad), SettingsError) << bad;
  }
}

}  // namespace
}  // namespace mh::conversation
