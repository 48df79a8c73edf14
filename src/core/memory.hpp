#pragma once
namespace mh {
/// LibTorch allocates per operation; glibc returns large freed blocks to the system by default,
/// so every operation touches fresh pages (≈16 µs each on small VMs). Keep freed memory for reuse:
/// call once at start-up, before any tensor work. Returns false if mallopt refused.
bool keep_freed_memory();
/// Gives the pages of freed memory back to the system (malloc_trim). For a process that runs for
/// days: call between long phases (after a dream), so that the resident size follows what is in
/// use rather than the highest it ever reached. Costs a page fault per page when reused.
void release_freed_memory();
}  // namespace mh
