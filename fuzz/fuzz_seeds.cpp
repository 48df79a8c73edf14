// Valid example inputs for every fuzz target, written by fuzz/make_seeds.cpp before fuzzing:
// mutations of real files reach far deeper than mutations of nothing.
#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "agent/agent_settings.hpp"
#include "audio/write_wav.hpp"
#include "conversation/conversation_settings.hpp"
#include "core/files.hpp"
#include "corpus/data_file.hpp"
#include "corpus/snippet_store.hpp"
#include "fuzz/fuzz_entries.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/song_order_bytes.hpp"

namespace mh::fuzz {

namespace fs = std::filesystem;

namespace {

void put(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// "\x01" + metadata + NUL + payload: the framed form the checksummed targets take (see fuzz_entries.hpp).
std::string unframed(const std::string& bytes, const std::string& kind) {
  const auto blob = model::unpack_checkpoint(bytes, kind, "seed");
  return std::string("\x01", 1) + blob.metadata.dump() + std::string(1, '\0') + blob.payload;
}

model::SongOrders orders(int64_t dim) {
  model::SongOrders s;
  s.ml1_version = "seed-ml1";
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  for (int i = 0; i < 4; ++i) {
    s.orders.push_back(torch::rand({3 + i, dim}, gen));
    s.song_ids.push_back(fmt::format("song{}", i));
  }
  return s;
}

}  // namespace

void write_seeds(const std::string& root) {
  const fs::path dir(root);
  torch::manual_seed(0);

  put(dir / "agent_settings", "default.toml", agent::to_toml_text(agent::AgentSettings{}));
  put(dir / "conversation_settings", "default.toml", conversation::to_toml_text(conversation::ConversationSettings{}));

  {
    const auto t = torch::arange(800, torch::kFloat32) / 8000.0;
    audio::write_wav(dir / "audio" / "sine.wav", torch::sin(t * 2 * M_PI * 440) * 0.5, 8000);
    audio::write_wav(dir / "audio" / "sine_float.wav", torch::sin(t * 2 * M_PI * 220) * 0.5, 8000,
                     audio::SampleFormat::kFloat32);
  }

  {
    const auto store_dir = dir / ".store";
    fs::remove_all(store_dir);
    auto store = corpus::SnippetStore::create(store_dir, corpus::StoreShape{4, 3});
    corpus::SongRecord record;
    record.title = "seed";
    record.source = "seed";
    record.duration_s = 1;
    record.snippet_seconds = 0.5;
    store.append_song(record, torch::rand({2, 4, 3}), corpus::Provenance{});
    const auto manifest = read_file(store_dir / corpus::detail::kManifestFileName);
    const auto data = read_file(store_dir / corpus::detail::kDataFileName);
    fs::remove_all(store_dir);
    put(dir / "manifest", "manifest.json", manifest);
    const auto body = manifest.substr(manifest.find('\n') + 1);
    put(dir / "manifest", "framed", "\x01" + body.substr(0, body.size() - 1));
    auto store_seed = [](char mode, const std::string& m, const std::string& d) {
      const auto size = static_cast<uint32_t>(m.size());
      std::string out(1, mode);
      out.append(reinterpret_cast<const char*>(&size), 4);
      return out + m + d;
    };
    put(dir / "store", "store", store_seed('\0', manifest, data));
    put(dir / "store", "framed", store_seed('\x01', body.substr(0, body.size() - 1), data.substr(32)));
  }

  // Checkpoints whole, and framed: [0x01][archive selector][metadata] (see fuzz_entries.hpp).
  for (const auto* kind : {model::kMl1Kind, model::kMl2Kind}) {
    const auto& examples = example_checkpoints(kind);
    const auto folder = dir / (std::string(kind) + "_checkpoint");
    for (size_t i = 0; i < examples.size(); ++i) {
      put(folder, fmt::format("example{}.ckpt", i), examples[i]);
      const auto blob = model::unpack_checkpoint(examples[i], kind, "example");
      put(folder, fmt::format("framed{}", i), std::string("\x01", 1) + static_cast<char>(i) + blob.metadata.dump());
    }
  }

  {
    const auto bytes = model::save_song_orders(orders(3));
    put(dir / "song_orders", "orders.bin", bytes);
    put(dir / "song_orders", "framed", unframed(bytes, model::kSongOrdersKind));
  }

  put(dir / "session_log", "events.jsonl",
      "{\"seq\":0,\"type\":\"session_start\",\"time\":\"2026-01-01T00:00:00Z\",\"agents\":[\"a\",\"b\"],"
      "\"agent_dirs\":[\"a\",\"b\"],\"rounds\":1,\"seed\":0,\"first_new_song\":[1,1],\"session_id\":\"0123456789abcdef\"}\n"
      "{\"seq\":1,\"type\":\"round_start\",\"time\":\"2026-01-01T00:00:00Z\",\"round\":1}\n"
      "{\"seq\":2,\"type\":\"song\",\"time\":\"2026-01-01T00:00:00Z\",\"round\":1,\"turn\":0,\"song\":0,"
      "\"singer\":\"a\",\"listener\":\"b\",\"kind\":\"human\",\"parent\":null,\"sigma\":0.0,\"seed\":5,"
      "\"duration_s\":1.5,\"wav\":\"songs/0000_a_human.wav\",\"sidecar\":\"songs/0000_a_human.json\",\"line\":\"\"}\n"
      "{\"seq\":3,\"type\":\"torn\"");
}

}  // namespace mh::fuzz
