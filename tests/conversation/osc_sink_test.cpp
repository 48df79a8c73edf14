// The OSC sink checked by an independent receiver: a plain UDP socket on 127.0.0.1 whose packets
// are decoded here by hand from the OSC 1.0 encoding, not by liblo.
#include "conversation/osc_sink.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <variant>

#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh {
namespace {
using conversation::OscArg;
using nlohmann::json;

struct Received {
  std::string path;
  std::string types;  ///< the type tag without its ','
  std::vector<OscArg> args;
  std::chrono::steady_clock::time_point at;
  std::string text(std::size_t i) const { return std::get<std::string>(args.at(i)); }
};

/// OSC strings: bytes, a NUL, padded with NULs to a multiple of 4.
std::optional<std::string> read_padded_string(const std::string& p, std::size_t& at) {
  const auto end = p.find('\0', at);
  if (end == std::string::npos) return std::nullopt;
  std::string s = p.substr(at, end - at);
  at = (end + 4) & ~static_cast<std::size_t>(3);
  return s;
}

std::uint32_t read_be32(const std::string& p, std::size_t& at) {
  std::uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(p.at(at + k));
  at += 4;
  return v;
}

std::optional<Received> decode(const std::string& packet) {
  std::size_t at = 0;
  Received r;
  auto path = read_padded_string(packet, at);
  auto tags = read_padded_string(packet, at);
  if (!path || !tags || tags->empty() || (*tags)[0] != ',') return std::nullopt;
  r.path = *path;
  r.types = tags->substr(1);
  for (const char t : r.types) {
    if (t == 'i') {
      r.args.emplace_back(static_cast<std::int32_t>(read_be32(packet, at)));
    } else if (t == 'f') {
      const auto bits = read_be32(packet, at);
      float f;
      std::memcpy(&f, &bits, 4);
      r.args.emplace_back(f);
    } else if (t == 's') {
      auto s = read_padded_string(packet, at);
      if (!s) return std::nullopt;
      r.args.emplace_back(*s);
    } else {
      return std::nullopt;
    }
  }
  if (at != packet.size()) return std::nullopt;
  return r;
}

class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~UdpReceiver() { ::close(fd_); }
  int port() const { return port_; }
  /// Every packet that arrives until `quiet_ms` pass without one.
  std::vector<Received> receive(int quiet_ms = 300) {
    std::vector<Received> out;
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, quiet_ms) <= 0) return out;
      std::string buf(65536, '\0');
      const auto n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n <= 0) return out;
      buf.resize(static_cast<std::size_t>(n));
      auto decoded = decode(buf);
      EXPECT_TRUE(decoded.has_value()) << "undecodable OSC packet of " << n << " bytes";
      if (decoded) {
        decoded->at = std::chrono::steady_clock::now();
        out.push_back(std::move(*decoded));
      }
    }
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

namespace ev = conversation::events;

ev::Event osc_event(ev::EventBody body) { return {0, "2026-01-01T00:00:00Z", std::move(body)}; }

ev::Event song_event(int song, const std::string& singer, const std::string& listener, const std::string& kind, double seconds) {
  ev::Song e;
  e.round = 0;
  e.turn = song;
  e.song = song;
  e.singer = singer;
  e.listener = listener;
  e.kind = kind;
  if (song > 0) e.parent = song - 1;
  e.sigma = 0.5;
  e.seed = 1;
  e.duration_s = seconds;
  e.wav = "songs/x.wav";
  e.sidecar = fmt::format("songs/{:04d}.json", song);
  e.line = "LaLeLu... " + kind;
  return {10 + song, "2026-01-01T00:00:00Z", e};
}

ev::DreamStart osc_dream_start(const std::string& agent, int dream, int round) {
  ev::DreamStart e;
  e.agent = agent;
  e.dream = dream;
  e.round = round;
  return e;
}

conversation::OscSinkSettings settings_for(int port, bool real_time = false) {
  conversation::OscSinkSettings s;
  s.target.port = port;
  s.real_time = real_time;
  return s;
}

std::vector<std::string> paths_of(const std::vector<Received>& r) {
  std::vector<std::string> out;
  for (const auto& m : r) out.push_back(m.path);
  return out;
}

TEST(OscSink, SendsTheOriginalMessagesWithOneStringEach) {
  UdpReceiver rx;
  auto s = settings_for(rx.port());
  s.telemetry = false;
  {
    conversation::OscSink sink(s);
    sink.on_event(osc_event(ev::RoundStart{1}));
    sink.on_event(song_event(0, "Dennis", "Valerio", "human", 3.0));
    sink.on_event(song_event(1, "Valerio", "Dennis", "imitation", 3.0));
    sink.on_event(osc_event(osc_dream_start("Dennis", 1, 0)));
    sink.flush();
    EXPECT_EQ(sink.messages_failed(), 0);
  }
  const auto got = rx.receive();
  EXPECT_EQ(paths_of(got), (std::vector<std::string>{"/iteration", "/DennisBand", "/Dennis", "/ValerioWaits", "/DennisDone",
                                                     "/Valerio", "/DennisWaits", "/ValerioDone", "/DennisSleeps"}));
  for (const auto& m : got) EXPECT_EQ(m.types, "s") << m.path;
  ASSERT_EQ(got.size(), 9u);
  EXPECT_EQ(got[0].text(0), "1");  // rounds, like the original's iterations, count from 1
  EXPECT_EQ(got[1].text(0), "");
  EXPECT_EQ(got[2].text(0), "LaLeLu... human");
  EXPECT_EQ(got[3].text(0), "Nice machine music! I will try to imitate that!");
  EXPECT_EQ(got[4].text(0), "I'm done singing my song. Did you like it?");
  EXPECT_EQ(got[6].text(0), "Mhhh... Interesting Song! Let me think about a variation...");
  EXPECT_EQ(got[8].text(0), "ZzzZzz I'm dreaming about all the music i've heard...");
}

TEST(OscSink, SendsSongTelemetryAndEachSnippetsMapPositionFromTheSidecar) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "songs");
  std::ofstream(dir / "songs/0000.json") << json({{"snippet_seconds", 2.0},
                                                  {"map", {{"Valerio", {{1.0, 2.0}, {1.5, 2.5}, {2.0, 3.0}}}}}})
                                                .dump();
  UdpReceiver rx;
  auto s = settings_for(rx.port());
  s.original_messages = false;
  s.session_dir = dir.path();
  {
    conversation::OscSink sink(s);
    sink.on_event(song_event(0, "Dennis", "Valerio", "human", 6.0));
    ev::Listen listen;
    listen.agent = "Valerio";
    listen.song = 0;
    listen.human_fraction = 0.75;
    sink.on_event(osc_event(listen));
    ev::DreamEnd dream;
    dream.agent = "Valerio";
    dream.dream = 1;
    dream.round = 0;
    dream.seconds = 12.5;
    dream.measures = {{"agent", "Valerio"}, {"dream", 1}, {"human_fraction", 0.4}, {"ltas", {{"flatness", 0.2}}}};
    sink.on_event(osc_event(dream));
  }  // the destructor sends what is left
  const auto got = rx.receive();
  EXPECT_EQ(paths_of(got), (std::vector<std::string>{"/metahuman/song", "/metahuman/map", "/metahuman/map", "/metahuman/map",
                                                     "/metahuman/song_end", "/metahuman/listen", "/metahuman/dream_end",
                                                     "/metahuman/measures/human_fraction",
                                                     "/metahuman/measures/ltas/flatness"}));
  ASSERT_EQ(got.size(), 9u);
  EXPECT_EQ(got[0].types, "isssfiiif");
  EXPECT_EQ(std::get<std::int32_t>(got[0].args[0]), 0);
  EXPECT_EQ(got[0].text(3), "human");
  EXPECT_FLOAT_EQ(std::get<float>(got[0].args[4]), 6.0f);
  EXPECT_EQ(std::get<std::int32_t>(got[0].args[7]), -1);  // no parent
  EXPECT_EQ(got[2].types, "siiff");
  EXPECT_EQ(got[2].text(0), "Valerio");
  EXPECT_EQ(std::get<std::int32_t>(got[2].args[2]), 1);
  EXPECT_FLOAT_EQ(std::get<float>(got[2].args[3]), 1.5f);
  EXPECT_FLOAT_EQ(std::get<float>(got[2].args[4]), 2.5f);
  EXPECT_FLOAT_EQ(std::get<float>(got[5].args[2]), 0.75f);
  EXPECT_EQ(got[7].types, "sif");
  EXPECT_FLOAT_EQ(std::get<float>(got[7].args[2]), 0.4f);
}

TEST(OscSink, InRealTimeDoneComesAfterTheSongAndItsSecondOfSilence) {
  UdpReceiver rx;
  auto s = settings_for(rx.port(), /*real_time=*/true);
  s.telemetry = false;
  const auto start = std::chrono::steady_clock::now();
  conversation::OscSink sink(s);
  sink.on_event(song_event(0, "Valerio", "Dennis", "machine", 0.2));
  const auto got = rx.receive(1500);
  ASSERT_EQ(paths_of(got), (std::vector<std::string>{"/Valerio", "/DennisWaits", "/ValerioDone"}));
  EXPECT_GE(std::chrono::duration<double>(got[2].at - start).count(), 1.2);
}

TEST(OscSink, ANewSongSendsWhatThePreviousSongHadScheduledFirst) {
  UdpReceiver rx;
  auto s = settings_for(rx.port(), /*real_time=*/true);
  s.telemetry = false;
  conversation::OscSink sink(s);
  sink.on_event(song_event(0, "Valerio", "Dennis", "machine", 600.0));
  sink.on_event(song_event(1, "Dennis", "Valerio", "imitation", 600.0));
  const auto got = rx.receive();
  EXPECT_EQ(paths_of(got), (std::vector<std::string>{"/Valerio", "/DennisWaits", "/ValerioDone", "/Dennis", "/ValerioWaits"}));
}

TEST(OscSink, NoReceiverIsNotAnError) {
  int port = 0;
  {
    UdpReceiver gone;
    port = gone.port();
  }
  conversation::OscSink sink(settings_for(port));
  EXPECT_NO_THROW(sink.on_event(song_event(0, "Valerio", "Dennis", "human", 1.0)));
  sink.flush();
}

TEST(OscSink, NamesAreMadeSafeForOscAddresses) {
  EXPECT_EQ(conversation::osc_address_part("Val rio/#1"), "Val_rio__1");
  const auto messages = conversation::osc_messages_for(song_event(0, "A B", "C", "human", 1.0), settings_for(5005));
  EXPECT_EQ(messages.at(0).message.path, "/A_BBand");
}

TEST(OscTarget, ParsesHostPortForms) {
  EXPECT_EQ(conversation::parse_osc_target("10.0.0.2:9000").host, "10.0.0.2");
  EXPECT_EQ(conversation::parse_osc_target("10.0.0.2:9000").port, 9000);
  EXPECT_EQ(conversation::parse_osc_target("stage.local").port, 5005);
  EXPECT_EQ(conversation::parse_osc_target(":7000").host, "127.0.0.1");
  EXPECT_EQ(conversation::parse_osc_target("7000").port, 7000);
  EXPECT_THROW(conversation::parse_osc_target("host:0"), SettingsError);
  EXPECT_THROW(conversation::parse_osc_target("host:99999"), SettingsError);
  EXPECT_THROW(conversation::parse_osc_target("host:abc"), SettingsError);
  EXPECT_THROW(conversation::parse_osc_target(""), SettingsError);
}

}  // namespace
}  // namespace mh
