#pragma once
// Helpers for the corpus tests: seeded snippets, song records and byte surgery on store files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "corpus/snippet_store.hpp"

namespace mh::corpus::test {

/// [n, n_mels, frames] uniform in [0, 1], from `seed`.
inline torch::Tensor random_snippets(int64_t n, const StoreShape& shape, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  return torch::rand({n, shape.n_mels, shape.frames}, gen, torch::kFloat32);
}

inline SongRecord song_record(const std::string& title, uint64_t content_hash = 0) {
  SongRecord r;
  r.title = title;
  r.source = title + ".wav";
  r.duration_s = 3.5;
  r.snippet_seconds = 2.0;
  r.content_hash = content_hash;
  return r;
}

inline Provenance human(Split split = Split::kTrain) {
  Provenance p;
  p.split = split;
  return p;
}

inline Provenance machine(const std::string& agent, int depth, int round) {
  Provenance p;
  p.origin = agent;
  p.kind = SongKind::kVariation;
  p.depth = depth;
  p.round = round;
  p.seed = 1234;
  p.variation_sigma = 0.25;
  return p;
}

inline void flip_byte(const std::filesystem::path& path, std::streamoff offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(offset);
  f.write(&c, 1);
}

inline void append_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

/// Runs `action`, expecting a DatasetError whose message contains `words`.
template <typename Action>
void expect_dataset_error(Action&& action, const std::string& words) {
  try {
    action();
    ADD_FAILURE() << "expected DatasetError containing '" << words << "'";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << "'" << words << "' not in: " << e.what();
  }
}

}  // namespace mh::corpus::test
