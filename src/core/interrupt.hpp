#pragma once
/// Ctrl-C for long work: the first SIGINT sets a flag that training loops check between batches
/// (they then save and stop cleanly); a second SIGINT ends the process at once.
#include <atomic>

namespace mh {

/// Installs the handler (idempotent) and returns the flag it sets.
const std::atomic<bool>& interrupt_flag();

}  // namespace mh
