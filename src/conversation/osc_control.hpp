#pragma once
/// OSC input that steers a running conversation (docs/osc.md): a UDP receiver on its own thread
/// whose messages, decoded by liblo, become notes in a ControlQueue that the loop polls between
/// songs. It listens on 127.0.0.1 unless told otherwise, so that only this machine can steer.
#include <atomic>
#include <string>
#include <thread>

#include "conversation/run_control.hpp"

namespace mh::conversation {

/// Where control messages are received: "PORT", ":PORT" (host 127.0.0.1) or "HOST:PORT", where
/// HOST is an IPv4 address of this machine (0.0.0.0: every interface). Port 0 picks a free one.
struct ControlAddress {
  std::string host = "127.0.0.1";
  int port = 5006;
};
/// Throws SettingsError naming `--control`, the text and what is allowed.
ControlAddress parse_control_address(const std::string& text);

class OscControl {
 public:
  /// Binds the address and starts receiving into `queue` (which must outlive this object).
  /// `agents`: how many agents the conversation has (for /metahuman/sigma's index). Throws
  /// SettingsError naming `--control` when the address cannot be bound.
  OscControl(ControlAddress address, ControlQueue& queue, int agents);
  /// Stops the receiving thread and closes the socket.
  ~OscControl();
  OscControl(const OscControl&) = delete;
  OscControl& operator=(const OscControl&) = delete;

  int port() const { return port_; }  ///< the bound port (the chosen one when asked for 0)
  const std::string& host() const { return host_; }

 private:
  void run();

  ControlQueue& queue_;
  int agents_;
  int fd_ = -1;
  int port_ = 0;
  std::string host_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

}  // namespace mh::conversation
