#pragma once
/// Ctrl-C for long work: the first SIGINT or SIGTERM sets a flag that training loops check between
/// batches (they then save and stop cleanly); a second one ends the process at once. SIGTERM is
/// how a service manager stops an installation that runs until stopped.
#include <atomic>

namespace mh {

/// Installs the handler (idempotent) and returns the flag it sets.
const std::atomic<bool>& interrupt_flag();

}  // namespace mh
