#include "audio/audio_files.hpp"

#include <gtest/gtest.h>

#include "audio_test_util.hpp"
#include "core/errors.hpp"
#include "support/paths.hpp"

namespace mh::audio {
namespace {

TEST(IsAudioFile, RecognisesTheDecodableExtensionsInAnyCase) {
  for (const char* name : {"a.wav", "b.FLAC", "c.ogg", "d.oga", "e.Opus", "f.mp3", "g.aif", "h.AIFF"}) {
    EXPECT_TRUE(is_audio_file(name)) << name;
  }
  for (const char* name : {"a.txt", "wav", "b.wav.bak", "c.mid", "d", ".wav"}) EXPECT_FALSE(is_audio_file(name)) << name;
}

TEST(ListAudioFiles, FindsAudioRecursivelyInSortedOrder) {
  mh::test::TempDir dir;
  std::filesystem::create_directories(dir / "b/deep");
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / ".hidden");
  for (const char* name : {"z.wav", "b/deep/x.flac", "a/y.MP3", "a/notes.txt", "._z.wav", ".hidden/h.wav"}) {
    test::write_text(dir / name, "x");
  }
  const auto files = list_audio_files(dir.path());
  const std::vector<std::filesystem::path> expected = {dir / "a/y.MP3", dir / "b/deep/x.flac", dir / "z.wav"};
  EXPECT_EQ(files, expected);
}

TEST(ListAudioFiles, ReturnsANamedFileAsIs) {
  mh::test::TempDir dir;
  test::write_text(dir / "song.txt", "x");
  EXPECT_EQ(list_audio_files(dir / "song.txt"), std::vector<std::filesystem::path>{dir / "song.txt"});
}

TEST(ListAudioFiles, AnEmptyFolderGivesNoFiles) {
  mh::test::TempDir dir;
  EXPECT_TRUE(list_audio_files(dir.path()).empty());
}

TEST(ListAudioFiles, RefusesAMissingPathNamingIt) {
  mh::test::TempDir dir;
  try {
    list_audio_files(dir / "missing");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "missing").string()), std::string::npos);
  }
}

}  // namespace
}  // namespace mh::audio
