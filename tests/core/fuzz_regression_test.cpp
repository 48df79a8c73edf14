#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_entries.hpp"
#include "support/paths.hpp"

namespace mh {

namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// Every input a fuzzer once found troublesome (fuzz/regressions/<target>/) goes through the same
// entry point again: the loader must refuse it with the program's own error or accept it, and
// never crash or throw anything else (the entry lets any other exception through).
TEST(FuzzRegressions, EveryKeptInputIsRefusedOrAcceptedCleanly) {
  const fs::path root = test::source_dir() / "fuzz" / "regressions";
  int replayed = 0;
  for (const auto& target : fuzz::targets()) {
    const auto dir = root / target.name;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      const auto bytes = read_bytes(entry.path());
      EXPECT_NO_THROW(target.run(bytes)) << target.name << ": " << entry.path().filename().string();
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0) << "no inputs under " << root.string();
}

TEST(FuzzRegressions, EntryPointsRefuseEmptyAndJunkInputWithTheProgramsOwnErrors) {
  const std::string junk = std::string("\x01", 1) + "\xff\xfe{[\"not a file\x00\x00\x00\x00junk";
  for (const auto& target : fuzz::targets()) {
    EXPECT_NO_THROW(target.run("")) << target.name;
    EXPECT_NO_THROW(target.run(junk)) << target.name;
  }
}

}  // namespace mh
