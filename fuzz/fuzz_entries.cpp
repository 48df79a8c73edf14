#include "fuzz/fuzz_entries.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "agent/agent_settings.hpp"
#include "audio/read_audio.hpp"
#include "conversation/conversation_settings.hpp"
#include "conversation/session_log.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus/data_file.hpp"
#include "corpus/manifest.hpp"
#include "corpus/snippet_store.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/ml2_checkpoint.hpp"
#include "model/ml2_trainer.hpp"
#include "model/song_order_bytes.hpp"
#include "model/ml1_trainer.hpp"

namespace mh::fuzz {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <typename F>
void expect_typed_errors(F&& f) {
  try {
    f();
  } catch (const mh::Error&) {
    // The loader refused the input with one of the program's own errors: the wanted outcome.
  }
}

// One scratch folder per process under TMPDIR, emptied before every input and removed at exit.
const fs::path& scratch() {
  static const fs::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (fs::path(tmp && *tmp ? tmp : "/tmp") / "metahuman-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    static struct Remover {
      fs::path dir;
      ~Remover() {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    } remover{pattern};
    return fs::path(pattern);
  }();
  return dir;
}

fs::path fresh_scratch(const std::string& sub) {
  const auto dir = scratch() / sub;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  return dir;
}

void write_plain(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool reframe(std::string_view bytes) { return !bytes.empty() && (static_cast<uint8_t>(bytes[0]) & 1u) != 0; }

// bytes[1:] split at the first NUL into metadata text and payload.
std::pair<std::string_view, std::string_view> split_meta(std::string_view bytes) {
  const auto rest = bytes.substr(1);
  const auto nul = rest.find('\0');
  if (nul == std::string_view::npos) return {rest, {}};
  return {rest.substr(0, nul), rest.substr(nul + 1)};
}

// A checkpoint container with a valid checksum around fuzzed metadata and payload, or "" when the
// metadata is not JSON (the container only ever holds JSON it wrote itself).
std::string framed(std::string_view meta, std::string_view payload, const std::string& kind) {
  model::CheckpointBlob blob;
  blob.kind = kind;
  try {
    blob.metadata = json::parse(meta);
  } catch (const json::exception&) {
    return {};
  }
  blob.payload = std::string(payload);
  return model::pack_checkpoint(blob);
}

// [odd][selector][metadata]: the metadata framed around one of the example archives.
std::string framed_model_checkpoint(std::string_view bytes, const std::string& kind) {
  if (bytes.size() < 2) return {};
  const auto& examples = example_checkpoints(kind);
  const auto& example = examples[static_cast<uint8_t>(bytes[1]) % examples.size()];
  const auto payload = model::unpack_checkpoint(example, kind, "example").payload;
  return framed(bytes.substr(2), payload, kind);
}

// The header line of a real manifest, so that the framed form uses the program's own words.
std::string manifest_header_template() {
  const auto text = corpus::Manifest(corpus::StoreShape{1, 1}).serialise();
  return text.substr(0, text.find('\n'));
}

std::string frame_manifest_like_program(std::string_view body) {
  // Rebuild the header from a real one (format and version as this build writes them).
  auto header = json::parse(manifest_header_template());
  header["body_bytes"] = body.size();
  header["body_fnv1a64"] = fmt::format("{:016x}", fnv1a64(body));
  return header.dump() + "\n" + std::string(body) + "\n";
}

void load_manifest_bytes(const std::string& bytes) {
  expect_typed_errors([&] {
    const auto m = corpus::Manifest::parse(bytes, "manifest");
    for (int64_t i = 0; i < std::min<int64_t>(m.n_items(), 64); ++i) (void)m.item(i);
    (void)m.item_ids(corpus::Split::kTrain);
    (void)m.serialise();
  });
}

}  // namespace

void audio(std::string_view bytes) {
  const auto dir = fresh_scratch("audio");
  write_plain(dir / "input", bytes);
  expect_typed_errors([&] { (void)audio::read_audio(dir / "input", 0, 600.0); });
}

void agent_settings(std::string_view bytes) {
  expect_typed_errors([&] {
    const auto s = agent::parse_agent_settings(std::string(bytes), "agent.toml");
    // What the program writes back must read back.
    (void)agent::parse_agent_settings(agent::to_toml_text(s), "agent.toml (written)");
  });
}

void conversation_settings(std::string_view bytes) {
  expect_typed_errors([&] {
    const auto s = conversation::parse_conversation_settings(std::string(bytes), "conversation.toml");
    (void)conversation::parse_conversation_settings(conversation::to_toml_text(s), "conversation.toml (written)");
  });
}

void manifest(std::string_view bytes) {
  load_manifest_bytes(std::string(bytes));
  if (reframe(bytes)) load_manifest_bytes(frame_manifest_like_program(bytes.substr(1)));
}

void store(std::string_view bytes) {
  // [mode][u32 manifest length][manifest][data file]; an odd mode frames the manifest part as a
  // body and prefixes the data with a valid header for the body's shape.
  if (bytes.size() < 5) return;
  uint32_t manifest_size = 0;
  std::memcpy(&manifest_size, bytes.data() + 1, 4);
  const auto rest = bytes.substr(5);
  const auto manifest_part = rest.substr(0, std::min<size_t>(manifest_size, rest.size()));
  const auto data_part = rest.substr(manifest_part.size());
  const auto dir = fresh_scratch("store");
  if (reframe(bytes)) {
    std::string header;
    try {
      const auto body = json::parse(manifest_part);
      header = corpus::detail::encode_header(corpus::StoreShape{body.at("n_mels").get<int64_t>(), body.at("frames").get<int64_t>()});
    } catch (const std::exception&) {
      return;
    }
    write_plain(dir / corpus::detail::kManifestFileName, frame_manifest_like_program(manifest_part));
    write_plain(dir / corpus::detail::kDataFileName, header + std::string(data_part));
  } else {
    write_plain(dir / corpus::detail::kManifestFileName, manifest_part);
    write_plain(dir / corpus::detail::kDataFileName, data_part);
  }
  expect_typed_errors([&] {
    const auto s = corpus::SnippetStore::open(dir);
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < std::min<int64_t>(s.size(), 16); ++i) ids.push_back(i);
    if (!ids.empty()) (void)s.read(ids);
    s.verify();
  });
}

void ml1_checkpoint(std::string_view bytes) {
  expect_typed_errors([&] { (void)model::load_ml1_checkpoint(bytes, torch::kCPU, "ml1.ckpt"); });
  if (!reframe(bytes)) return;
  const auto checkpoint = framed_model_checkpoint(bytes, model::kMl1Kind);
  if (!checkpoint.empty()) {
    expect_typed_errors([&] { (void)model::load_ml1_checkpoint(checkpoint, torch::kCPU, "ml1.ckpt"); });
  }
}

void ml2_checkpoint(std::string_view bytes) {
  expect_typed_errors([&] { (void)model::load_ml2_checkpoint(bytes, torch::kCPU, "ml2.ckpt"); });
  if (!reframe(bytes)) return;
  const auto checkpoint = framed_model_checkpoint(bytes, model::kMl2Kind);
  if (!checkpoint.empty()) {
    expect_typed_errors([&] { (void)model::load_ml2_checkpoint(checkpoint, torch::kCPU, "ml2.ckpt"); });
  }
}

void song_orders(std::string_view bytes) {
  expect_typed_errors([&] { (void)model::load_song_orders(bytes, "orders.bin"); });
  if (!reframe(bytes)) return;
  const auto [meta, payload] = split_meta(bytes);
  const auto file = framed(meta, payload, model::kSongOrdersKind);
  if (!file.empty()) expect_typed_errors([&] { (void)model::load_song_orders(file, "orders.bin"); });
}

void session_log(std::string_view bytes) {
  const auto dir = fresh_scratch("session");
  write_plain(dir / "events.jsonl", bytes);
  expect_typed_errors([&] {
    conversation::SessionLog log(dir / "events.jsonl");
    (void)log.size();
  });
}

const std::vector<std::string>& example_checkpoints(const std::string& kind) {
  static const std::vector<std::string> ml1 = [] {
    torch::manual_seed(0);
    auto options = model::ConvVaeOptions::fast(16, 8);
    options.filters = {4, 4};
    options.kernels = {{3, 3}, {3, 3}};
    options.strides = {{2, 2}, {2, 2}};
    options.latent_dim = 4;
    model::Ml1Settings settings;
    settings.batch_size = 2;
    settings.epochs = 1;
    model::Ml1Trainer trainer(settings, options, torch::kCPU);
    model::InMemorySnippetSource data(torch::rand({4, 1, 16, 8}));
    trainer.train(data, {0, 1, 2, 3}, {});
    return std::vector<std::string>{
        trainer.checkpoint(),
        model::save_ml1_checkpoint(settings, trainer.model(), nullptr, model::Ml1TrainingState{})};
  }();
  static const std::vector<std::string> ml2 = [] {
    std::vector<std::string> out;
    model::SongOrders orders;
    orders.ml1_version = "example-ml1";
    for (int i = 0; i < 4; ++i) {
      orders.orders.push_back(torch::rand({3 + i, 3}));
      orders.song_ids.push_back("song" + std::to_string(i));
    }
    for (const std::string preset : {"dense", "sequence"}) {
      model::Ml2Settings settings;
      settings.preset = preset;
      settings.latent_dim = 4;
      settings.hidden = 8;
      settings.max_length = 8;
      settings.batch_size = 2;
      settings.epochs = 1;
      model::Ml2Trainer trainer(settings, 3, torch::kCPU);
      trainer.train(orders, {0, 1, 2, 3}, {});
      out.push_back(trainer.checkpoint());
    }
    return out;
  }();
  return kind == model::kMl1Kind ? ml1 : ml2;
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all{
      {"audio", audio},
      {"agent_settings", agent_settings},
      {"conversation_settings", conversation_settings},
      {"manifest", manifest},
      {"store", store},
      {"ml1_checkpoint", ml1_checkpoint},
      {"ml2_checkpoint", ml2_checkpoint},
      {"song_orders", song_orders},
      {"session_log", session_log},
  };
  return all;
}

}  // namespace mh::fuzz
