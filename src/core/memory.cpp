#include "core/memory.hpp"

#include <malloc.h>

namespace mh {
bool keep_freed_memory() {
  // No mmap for large blocks (they would be unmapped on free) and never trim the heap top.
  const bool a = mallopt(M_MMAP_MAX, 0) == 1;
  const bool b = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  const bool c = mallopt(M_TOP_PAD, 64 << 20) == 1;
  return a && b && c;
}
}  // namespace mh
