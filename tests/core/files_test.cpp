#include "core/files.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/paths.hpp"

namespace mh {
namespace {
namespace fs = std::filesystem;

// The pid of a process that has ended.
pid_t ended_process() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return pid;
}

TEST(StaleTemporaries, OnlyAKilledWritersTemporariesGo) {
  test::TempDir dir;
  const std::string dead = std::to_string(ended_process());
  const std::string self = std::to_string(::getpid());
  const std::vector<std::string> names = {"0016_Valerio_imitation.wav.tmp-" + dead + "-6f9e731",  // killed mid-write
                                          "ml1.ckpt.tmp-" + self + "-1a",  // being written now
                                          "notes.tmp-plan", "song.wav", "a.tmp-" + dead + "-xyz"};
  for (const auto& name : names) {
    write_file_atomic(dir / name, "bytes");
  }
  const auto removed = remove_stale_temporaries(dir.path());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed.front(), "0016_Valerio_imitation.wav.tmp-" + dead + "-6f9e731");
  EXPECT_TRUE(fs::exists(dir / ("ml1.ckpt.tmp-" + self + "-1a")));
  EXPECT_TRUE(fs::exists(dir / "notes.tmp-plan"));
  EXPECT_TRUE(fs::exists(dir / "song.wav"));
  EXPECT_TRUE(fs::exists(dir / ("a.tmp-" + dead + "-xyz")));  // not hexadecimal: not ours
}

TEST(StaleTemporaries, AMissingFolderIsNotAnError) {
  test::TempDir dir;
  EXPECT_TRUE(remove_stale_temporaries(dir / "absent").empty());
}

}  // namespace
}  // namespace mh
