#include "support/paths.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>

namespace mh::test {
namespace fs = std::filesystem;

fs::path source_dir() { return MH_SOURCE_DIR; }
fs::path fixtures_dir() { return MH_FIXTURES_DIR; }
fs::path shared_dir() {
  if (const char* env = std::getenv("METAHUMAN_SHARED_DIR")) return env;
  return MH_SHARED_DIR;
}
bool have_shared() { return fs::is_directory(shared_dir() / "reference"); }
fs::path golden_dir() { return fixtures_dir() / "golden"; }
bool is_golden(const fs::path& root) { return root == golden_dir(); }
std::vector<fs::path> reference_roots(const std::string& relative) {
  std::vector<fs::path> roots;
  for (const auto& root : {golden_dir(), shared_dir() / "reference"}) {
    if (fs::exists(root / relative)) roots.push_back(root);
  }
  return roots;
}
fs::path cli_path() { return MH_CLI_PATH; }

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("metahuman-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}
TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

CommandResult run_command(const std::string& command_line) {
  CommandResult result{-1, {}};
  FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace mh::test
