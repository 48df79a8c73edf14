#pragma once
namespace mh {
/// LibTorch allocates per operation; glibc returns large freed blocks to the system by default,
/// so every operation touches fresh pages (≈16 µs each on small VMs). Keep freed memory for reuse:
/// call once at start-up, before any tensor work. Returns false if mallopt refused.
bool keep_freed_memory();
}  // namespace mh
