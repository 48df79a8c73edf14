#include "core/memory.hpp"

#include <malloc.h>

namespace mh {
bool keep_freed_memory() {
  // No mmap for large blocks (they would be unmapped on free) and never trim the heap top: a
  // training step frees and reallocates gigabytes, and every page given back costs a fault.
  const bool a = mallopt(M_MMAP_MAX, 0) == 1;
  // glibc keeps the threshold as a size_t, so -1 means never; INT_MAX would still trim a free
  // heap top beyond 2 GiB.
  const bool b = mallopt(M_TRIM_THRESHOLD, -1) == 1;
  const bool c = mallopt(M_TOP_PAD, 64 << 20) == 1;
  return a && b && c;
}

void release_freed_memory() { malloc_trim(0); }
}  // namespace mh
