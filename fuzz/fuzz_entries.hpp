#pragma once
/// The fuzz targets' entry points (fuzz/<target>_fuzz.cpp), shared with the regression test that
/// replays every input kept under fuzz/regressions/<target>/ in the normal build
/// (tests/core/fuzz_regression_test.cpp). Each entry feeds its bytes to one loader the way the
/// program does. The program's typed errors (mh::Error and subclasses) are the expected answer to
/// bad input and are swallowed; anything else (a crash, another exception, a sanitizer report,
/// a hang) is a finding.
///
/// Checksummed formats (checkpoints, song orders, manifests) are fed twice when the first byte is
/// odd: the rest is framed with a valid checksum first, so that mutations reach the parser behind
/// the checksum. Song orders and manifests: metadata text, NUL, payload. Checkpoints: a byte that
/// picks one of example_checkpoints()' LibTorch archives, then metadata text; the archive itself
/// is never mutated, because LibTorch 1.13's importer crashes on some malformed archives (a
/// finding in LibTorch, out of this program's reach once the checksum has passed).
#include <string>
#include <string_view>
#include <vector>

namespace mh::fuzz {

void audio(std::string_view bytes);
void agent_settings(std::string_view bytes);
void conversation_settings(std::string_view bytes);
void manifest(std::string_view bytes);
void store(std::string_view bytes);
void ml1_checkpoint(std::string_view bytes);
void ml2_checkpoint(std::string_view bytes);
void song_orders(std::string_view bytes);
void session_log(std::string_view bytes);

struct Target {
  const char* name;  ///< also the folder name under fuzz/regressions/
  void (*run)(std::string_view bytes);
};
/// Every target, in a fixed order.
const std::vector<Target>& targets();

/// Valid checkpoints of `kind` (model::kMl1Kind or kMl2Kind) from tiny trained models, made once.
const std::vector<std::string>& example_checkpoints(const std::string& kind);

/// Writes valid example inputs of every target under `dir`/<target>/ (the fuzzers' seed corpus).
void write_seeds(const std::string& dir);

}  // namespace mh::fuzz
