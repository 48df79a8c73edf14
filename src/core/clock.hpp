#pragma once
/// Wall-clock intervals for progress, rates and the timings the program reports.
#include <chrono>

namespace mh {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

}  // namespace mh
