#include "core/interrupt.hpp"

#include <csignal>
#include <cstdlib>
#include <mutex>

namespace mh {
namespace {
// A signal handler can only reach globals.
std::atomic<bool> g_interrupted{false};

extern "C" void on_stop_signal(int) {
  if (g_interrupted.exchange(true)) std::_Exit(130);
}
}  // namespace

const std::atomic<bool>& interrupt_flag() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
  });
  return g_interrupted;
}

}  // namespace mh
