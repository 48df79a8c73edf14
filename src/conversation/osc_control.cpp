#include "conversation/osc_control.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/errors.hpp"

namespace mh::conversation {

namespace {

// How long the receiving thread waits for a packet before it looks at its stop flag again.
constexpr int kPollMs = 100;
// Larger than any control message; a longer datagram is cut and then fails to decode.
constexpr size_t kMaxPacket = 4096;

template <typename T>
T read_as(const char* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}

ControlNote decode(char* data, size_t size, int agents) {
  int result = 0;
  std::unique_ptr<std::remove_pointer_t<lo_message>, void (*)(lo_message)> m(
      lo_message_deserialise(data, size, &result), lo_message_free);
  if (!m) {
    ControlNote note;
    note.ignored = size >= 8 && std::memcmp(data, "#bundle", 8) == 0
                       ? "an OSC bundle: send each command as a message of its own"
                       : fmt::format("not an OSC message ({} bytes)", size);
    return note;
  }
  const char* path = lo_get_path(data, static_cast<ssize_t>(size));
  const char* types = lo_message_get_types(m.get());
  const std::string type_text = types ? types : "";
  lo_arg** argv = lo_message_get_argv(m.get());
  std::vector<ControlArg> args;
  for (size_t i = 0; i < type_text.size(); ++i) {
    // liblo packs arguments as OSC lays them out, 4-byte aligned, so a 64-bit value may sit on an
    // address its union type may not be read from: copy the bytes out instead.
    const char* bytes = reinterpret_cast<const char*>(argv[i]);
    switch (type_text[i]) {
      case LO_INT32: args.emplace_back(static_cast<std::int64_t>(read_as<std::int32_t>(bytes))); break;
      case LO_INT64: args.emplace_back(static_cast<std::int64_t>(read_as<std::int64_t>(bytes))); break;
      case LO_FLOAT: args.emplace_back(static_cast<double>(read_as<float>(bytes))); break;
      case LO_DOUBLE: args.emplace_back(read_as<double>(bytes)); break;
      case LO_STRING:
      case LO_SYMBOL: args.emplace_back(std::string(bytes)); break;
      default: {
        ControlNote note;
        note.address = path ? path : "";
        note.types = type_text;
        note.ignored = fmt::format("argument type '{}' is not used by any command", type_text[i]);
        return note;
      }
    }
  }
  return parse_control_message(path ? path : "", type_text, args, agents);
}

}  // namespace

ControlAddress parse_control_address(const std::string& text) {
  ControlAddress a;
  const auto colon = text.rfind(':');
  const std::string host = colon == std::string::npos ? std::string() : text.substr(0, colon);
  const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  const bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  const long value = digits ? std::stol(port) : -1;
  if (value < 0 || value > 65535) {
    throw SettingsError(
        fmt::format("--control = '{}': the port must be a number in [0, 65535] (PORT, :PORT or HOST:PORT)", text));
  }
  a.port = static_cast<int>(value);
  if (!host.empty()) {
    in_addr probe{};
    if (inet_pton(AF_INET, host.c_str(), &probe) != 1) {
      throw SettingsError(fmt::format("--control = '{}': the host must be an IPv4 address such as 127.0.0.1", text));
    }
    a.host = host;
  }
  return a;
}

OscControl::OscControl(ControlAddress address, ControlQueue& queue, int agents)
    : queue_(queue), agents_(agents), host_(address.host) {
  // liblo's own server binds every interface; a socket of ours binds the one asked for, and
  // liblo decodes what arrives on it.
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(address.port));
  if (inet_pton(AF_INET, address.host.c_str(), &a.sin_addr) != 1) {
    throw SettingsError(fmt::format("--control: '{}' is not an IPv4 address", address.host));
  }
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw SettingsError(fmt::format("--control: no UDP socket: {}", std::strerror(errno)));
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const int err = errno;
    ::close(fd_);
    throw SettingsError(fmt::format("--control = {}:{}: cannot listen there: {}", address.host, address.port,
                                    std::strerror(err)));
  }
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  worker_ = std::thread([this] { run(); });
}

OscControl::~OscControl() {
  stop_ = true;
  if (worker_.joinable()) worker_.join();
  ::close(fd_);
}

void OscControl::run() {
  std::vector<char> buffer(kMaxPacket);
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const auto n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0) continue;
    queue_.push(decode(buffer.data(), static_cast<size_t>(n), agents_));
  }
}

}  // namespace mh::conversation
