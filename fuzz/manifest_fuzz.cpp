// libFuzzer target: see fuzz/fuzz_entries.hpp and scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mh::fuzz::manifest(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
