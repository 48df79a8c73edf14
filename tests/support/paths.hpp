#pragma once
/// Where tests find their material. Shared reference data lives beside the project; tests that
/// need it call MH_REQUIRE_SHARED() and are skipped when it is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace mh::test {

std::filesystem::path source_dir();
std::filesystem::path fixtures_dir();
/// METAHUMAN_SHARED_DIR if set, else the directory configured at build time.
std::filesystem::path shared_dir();
bool have_shared();
/// The small reference set committed in the repository (tests/fixtures/golden), cut out of the
/// shared one by scripts/make_golden_reference.py; it mirrors the shared folder's layout.
std::filesystem::path golden_dir();
/// Reference folders that hold `relative` (a path inside the reference layout): the golden set
/// first, so a clean clone checks it and a damaged golden file fails everywhere, then the full
/// shared set when present, for the cases the golden set leaves out.
std::vector<std::filesystem::path> reference_roots(const std::string& relative);
bool is_golden(const std::filesystem::path& root);
/// Path of the built `metahuman` program.
std::filesystem::path cli_path();
/// A fresh empty directory under the system temp dir, removed by the caller's TempDir.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code;
  std::string output;  ///< stdout and stderr together
};
/// Runs a shell command line, capturing its output.
CommandResult run_command(const std::string& command_line);

}  // namespace mh::test

#define MH_REQUIRE_SHARED()                                                         \
  do {                                                                              \
    if (!::mh::test::have_shared()) GTEST_SKIP() << "shared reference data absent"; \
  } while (0)

/// Skips when `roots` (from reference_roots) is empty.
#define MH_REQUIRE_REFERENCE(roots)                                                          \
  do {                                                                                       \
    if ((roots).empty()) GTEST_SKIP() << "reference data absent (neither golden nor shared)"; \
  } while (0)
