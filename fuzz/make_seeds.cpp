// Writes the fuzzers' seed corpus: make_seeds <dir> creates <dir>/<target>/ with valid inputs.
#include <cstdio>
#include <exception>

#include "fuzz/fuzz_entries.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <dir>\n");
    return 2;
  }
  try {
    mh::fuzz::write_seeds(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
