#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/npy.hpp"
#include "support/paths.hpp"

namespace mh {

TEST(Npy, RoundTripKeepsShapeDtypeAndValues) {
  test::TempDir dir;
  const auto t = torch::arange(24, torch::kFloat32).reshape({2, 3, 4}) / 7.0;
  write_npy(dir / "a.npy", t);
  const auto back = read_npy(dir / "a.npy");
  EXPECT_EQ(back.sizes(), t.sizes());
  EXPECT_EQ(back.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(back, t));
}

TEST(Npy, ReadsAReferenceVectorWrittenByNumpy) {
  const auto roots = test::reference_roots("librosa_testdata/melfb-001.npy");
  MH_REQUIRE_REFERENCE(roots);
  for (const auto& root : roots) {
    const auto t = read_npy(root / "librosa_testdata/melfb-001.npy");
    EXPECT_EQ(t.scalar_type(), torch::kFloat64) << root;
    EXPECT_EQ(t.dim(), 2);
    EXPECT_EQ(t.size(0), 20);
    EXPECT_EQ(t.size(1), 129);
  }
}

TEST(Npy, TruncatedDataIsRefusedWithTheName) {
  auto bytes = serialize_npy(torch::ones({100}));
  bytes.resize(bytes.size() - 10);
  try {
    parse_npy(bytes, "x.npy");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x.npy: truncated"), std::string::npos) << e.what();
  }
}

TEST(Npy, GarbageIsRefused) {
  EXPECT_THROW(parse_npy("hello world, not numpy"), InputError);
  EXPECT_THROW(parse_npy(std::string("\x93NUMPY\x01\x00\xff\xff", 10)), InputError);
}

TEST(Files, AtomicWriteReplacesContentAndLeavesNoTemporaryFiles) {
  test::TempDir dir;
  write_file_atomic(dir / "f.txt", "one");
  write_file_atomic(dir / "f.txt", "two");
  EXPECT_EQ(read_file(dir / "f.txt"), "two");
  int count = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++count;
  EXPECT_EQ(count, 1);
}

TEST(Files, ReadingMissingFileOrDirectoryNamesIt) {
  test::TempDir dir;
  try {
    read_file(dir / "nope.wav");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.wav: no such file"), std::string::npos);
  }
  EXPECT_THROW(read_file(dir.path()), InputError);
}

}  // namespace mh
