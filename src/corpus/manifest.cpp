#include "corpus/manifest.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/enum_words.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/json_checks.hpp"

namespace mh::corpus {
namespace {

using nlohmann::json;

constexpr const char* kManifestFormat = "metahuman-snippet-manifest";
constexpr int kManifestVersion = 1;

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::uint64_t parse_hex64(const std::string& s) {
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw DatasetError(fmt::format("'{}' is not a 16-digit hexadecimal checksum", s));
  }
  return std::stoull(s, nullptr, 16);
}

json song_to_json(const StoredSong& s) {
  json checksums = json::array();
  for (const auto c : s.checksums) checksums.push_back(hex64(c));
  const auto& r = s.record;
  const auto& p = s.provenance;
  // What the song is, then where it came from (its provenance), then where its snippets are.
  json out{{"id", s.id}, {"title", r.title}, {"source", r.source}, {"duration_s", r.duration_s},
           {"snippet_seconds", r.snippet_seconds}, {"content_hash", hex64(r.content_hash)},
           {"origin", p.origin}, {"kind", to_string(p.kind)}, {"depth", p.depth}, {"round", p.round},
           {"seed", p.seed}, {"variation_sigma", p.variation_sigma},
           {"split", to_string(p.split)},
           {"first_item", s.first_item}, {"n_snippets", s.n_snippets()}, {"checksums", checksums}};
  // Conversation songs only, so an ingested dataset's manifest is as before.
  if (!p.song_key.empty()) out["song_key"] = p.song_key;
  if (!p.lineage.empty()) {
    json steps = json::array();
    for (const auto& step : p.lineage) {
      json j{{"song", step.song}, {"singer", step.singer}, {"act", step.act}, {"sigma", step.sigma}};
      if (!step.from.empty()) j["from"] = step.from;
      steps.push_back(j);
    }
    out["lineage"] = steps;
  }
  return out;
}

StoredSong song_from_json(const json& j) {
  StoredSong s;
  s.id = j.at("id").get<int64_t>();
  s.record.title = j.at("title").get<std::string>();
  s.record.source = j.at("source").get<std::string>();
  s.record.duration_s = j.at("duration_s").get<double>();
  s.record.snippet_seconds = j.at("snippet_seconds").get<double>();
  s.record.content_hash = parse_hex64(j.at("content_hash").get<std::string>());
  s.provenance.origin = j.at("origin").get<std::string>();
  s.provenance.kind = parse_song_kind(j.at("kind").get<std::string>());
  s.provenance.depth = j.at("depth").get<int>();
  s.provenance.round = j.at("round").get<int>();
  s.provenance.seed = json_uint64(j.at("seed"));
  // Manifests written before lineage steps carried the chain hold a `parent_song_id`, which was
  // always -1 in conversations (an answer's parent is the listener's own song, never in its
  // dataset): it is read past.
  s.provenance.variation_sigma = j.at("variation_sigma").get<double>();
  s.provenance.split = parse_split(j.at("split").get<std::string>());
  if (j.contains("song_key")) s.provenance.song_key = j.at("song_key").get<std::string>();
  if (j.contains("lineage")) {
    for (const auto& step : j.at("lineage")) {
      LineageStep l;
      l.song = step.at("song").get<std::string>();
      l.singer = step.at("singer").get<std::string>();
      l.act = step.at("act").get<std::string>();
      l.sigma = step.at("sigma").get<double>();
      if (step.contains("from")) l.from = step.at("from").get<std::string>();
      s.provenance.lineage.push_back(std::move(l));
    }
  }
  s.first_item = j.at("first_item").get<int64_t>();
  for (const auto& c : j.at("checksums")) s.checksums.push_back(parse_hex64(c.get<std::string>()));
  if (j.at("n_snippets").get<int64_t>() != s.n_snippets()) {
    throw DatasetError(fmt::format("song {}: n_snippets {} but {} checksums", s.id,
                                   j.at("n_snippets").get<int64_t>(), s.n_snippets()));
  }
  return s;
}

}  // namespace

namespace {
constexpr EnumWords<Split, 3> kSplits{
    {{"train", Split::kTrain}, {"validation", Split::kValidation}, {"reference", Split::kReference}}};
constexpr EnumWords<SongKind, 4> kSongKinds{{{"human", SongKind::kHuman}, {"imitation", SongKind::kImitation},
                                             {"variation", SongKind::kVariation}, {"machine", SongKind::kMachine}}};
}  // namespace

std::string to_string(Split split) { return word_of(kSplits, split); }
std::string to_string(SongKind kind) { return word_of(kSongKinds, kind); }

Split parse_split(const std::string& word) {
  if (const auto split = find_word(kSplits, word)) return *split;
  throw DatasetError(fmt::format("split '{}' is unknown: expected one of {}", word, allowed_words(kSplits)));
}

SongKind parse_song_kind(const std::string& word) {
  if (const auto kind = find_word(kSongKinds, word)) return *kind;
  throw DatasetError(fmt::format("song kind '{}' is unknown: expected one of {}", word, allowed_words(kSongKinds)));
}

void check_provenance(const Provenance& p) {
  if (p.origin.empty()) throw DatasetError("provenance: origin is empty");
  const bool human_kind = p.kind == SongKind::kHuman;
  const bool human_origin = p.origin == "human";
  if (human_kind != human_origin || human_kind != (p.depth == 0)) {
    throw DatasetError(fmt::format("provenance: origin '{}', kind {} and depth {} disagree: a human recording has "
                                   "origin 'human', kind human and depth 0; an agent's song depth >= 1",
                                   p.origin, to_string(p.kind), p.depth));
  }
  if (p.depth < 0 || p.depth > 1000) throw DatasetError(fmt::format("provenance: depth {} is outside [0, 1000]", p.depth));
  if (p.round < -1) throw DatasetError(fmt::format("provenance: round {} is below -1", p.round));
  if (!(std::isfinite(p.variation_sigma) && p.variation_sigma >= 0)) {
    throw DatasetError(fmt::format("provenance: variation_sigma {} must be finite and >= 0", p.variation_sigma));
  }
  for (const auto& step : p.lineage) {
    if (step.song.empty() || step.singer.empty() || step.act.empty() || !(std::isfinite(step.sigma) && step.sigma >= 0)) {
      throw DatasetError(fmt::format("provenance: lineage step '{}' by '{}' ({}) needs a song, a singer, an act and a "
                                     "finite σ >= 0", step.song, step.singer, step.act));
    }
  }
}

const StoredSong& Manifest::song(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(songs_.size())) {
    throw DatasetError(fmt::format("song id {} out of range [0, {})", id, songs_.size()));
  }
  return songs_[static_cast<std::size_t>(id)];
}

ItemRecord Manifest::item(int64_t item_id) const {
  if (item_id < 0 || item_id >= n_items()) {
    throw DatasetError(fmt::format("item id {} out of range [0, {})", item_id, n_items()));
  }
  const auto& s = songs_[static_cast<std::size_t>(item_song_[static_cast<std::size_t>(item_id)])];
  ItemRecord r;
  r.item_id = item_id;
  r.song_id = s.id;
  r.snippet_index = item_id - s.first_item;
  r.start_s = static_cast<double>(r.snippet_index) * s.record.snippet_seconds;
  r.checksum = s.checksums[static_cast<std::size_t>(r.snippet_index)];
  r.song = &s;
  return r;
}

std::vector<int64_t> Manifest::item_ids(Split split) const {
  std::vector<int64_t> out;
  for (const auto& s : songs_) {
    if (s.provenance.split != split) continue;
    for (int64_t i = 0; i < s.n_snippets(); ++i) out.push_back(s.first_item + i);
  }
  return out;
}

int64_t Manifest::find_content(std::uint64_t hash) const {
  if (hash == 0) return -1;
  for (const auto& s : songs_) {
    if (s.record.content_hash == hash) return s.id;
  }
  return -1;
}

int64_t Manifest::add(const SongRecord& record, const Provenance& provenance, std::vector<std::uint64_t> checksums) {
  check_provenance(provenance);
  if (!(record.snippet_seconds > 0 && std::isfinite(record.snippet_seconds))) {
    throw DatasetError(fmt::format("song '{}': snippet_seconds {} must be positive", record.title, record.snippet_seconds));
  }
  if (!(record.duration_s >= 0 && std::isfinite(record.duration_s))) {
    throw DatasetError(fmt::format("song '{}': duration_s {} must be finite and >= 0", record.title, record.duration_s));
  }
  if (checksums.empty()) throw DatasetError(fmt::format("song '{}': has no snippets", record.title));
  if (songs_.size() >= static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
    throw DatasetError("store is full: too many songs");
  }
  StoredSong s;
  s.id = static_cast<int64_t>(songs_.size());
  s.record = record;
  s.provenance = provenance;
  s.first_item = n_items();
  s.checksums = std::move(checksums);
  item_song_.insert(item_song_.end(), s.checksums.size(), static_cast<int32_t>(s.id));
  songs_.push_back(std::move(s));
  return songs_.back().id;
}

std::string Manifest::serialise() const {
  json songs = json::array();
  for (const auto& s : songs_) songs.push_back(song_to_json(s));
  const json body{{"n_mels", shape_.n_mels}, {"frames", shape_.frames}, {"encoding", "uint16"},
                  {"n_items", n_items()}, {"songs", songs}};
  const std::string body_text = body.dump(1);
  const json header{{"format", kManifestFormat}, {"version", kManifestVersion},
                    {"body_bytes", body_text.size()}, {"body_fnv1a64", hex64(fnv1a64(body_text))}};
  return header.dump() + "\n" + body_text + "\n";
}

Manifest Manifest::parse(const std::string& bytes, const std::string& name) {
  const auto newline = bytes.find('\n');
  json header;
  try {
    header = json::parse(bytes.substr(0, newline));
    check_json_numbers(header);
  } catch (const json::exception&) {
    throw DatasetError(fmt::format("{}: not a snippet-store manifest (no header line)", name));
  }
  if (!header.is_object() || header.value("format", "") != kManifestFormat) {
    throw DatasetError(fmt::format("{}: not a snippet-store manifest (format is not '{}')", name, kManifestFormat));
  }
  const int version = header.value("version", -1);
  if (version != kManifestVersion) {
    throw DatasetError(fmt::format("{}: manifest version {} is not supported (this program reads {})", name,
                                   version, kManifestVersion));
  }
  try {
    const auto body_bytes = json_uint64(header.at("body_bytes"));
    // Compared as a difference: a huge announced length must not wrap the sum around.
    if (newline == std::string::npos || bytes.size() - newline - 1 < body_bytes) {
      throw DatasetError(fmt::format("{}: truncated: the header announces {} body bytes", name, body_bytes));
    }
    // The file ends with the body's newline: nothing unchecked may follow it.
    if (bytes.size() - newline - 1 - body_bytes != 1 || bytes.back() != '\n') {
      throw DatasetError(fmt::format("{}: does not end right after its body: the manifest is corrupt", name));
    }
    const std::string_view body_text(bytes.data() + newline + 1, body_bytes);
    if (hex64(fnv1a64(body_text)) != header.at("body_fnv1a64").get<std::string>()) {
      throw DatasetError(fmt::format("{}: checksum mismatch: the manifest is corrupt", name));
    }
    const json body = json::parse(body_text);
    check_json_numbers(body);
    Manifest m(StoreShape{body.at("n_mels").get<int64_t>(), body.at("frames").get<int64_t>()});
    if (m.shape_.n_mels < 1 || m.shape_.n_mels > 4096 || m.shape_.frames < 1 || m.shape_.frames > 65536) {
      throw DatasetError(fmt::format("{}: snippet shape {}x{} is out of range", name, m.shape_.n_mels, m.shape_.frames));
    }
    if (body.at("encoding").get<std::string>() != "uint16") {
      throw DatasetError(fmt::format("{}: encoding '{}' is not supported", name, body.at("encoding").get<std::string>()));
    }
    for (const auto& j : body.at("songs")) {
      const StoredSong s = song_from_json(j);
      if (s.id != static_cast<int64_t>(m.songs_.size()) || s.first_item != m.n_items()) {
        throw DatasetError(fmt::format("song {} is out of order (expected id {} starting at item {})", s.id,
                                       m.songs_.size(), m.n_items()));
      }
      m.add(s.record, s.provenance, s.checksums);
    }
    if (body.at("n_items").get<int64_t>() != m.n_items()) {
      throw DatasetError(fmt::format("n_items {} but the songs hold {}", body.at("n_items").get<int64_t>(), m.n_items()));
    }
    return m;
  } catch (const json::exception& e) {
    throw DatasetError(fmt::format("{}: malformed manifest: {}", name, e.what()));
  } catch (const DatasetError& e) {
    const std::string what = e.what();
    if (what.rfind(name + ": ", 0) == 0) throw;
    throw DatasetError(fmt::format("{}: {}", name, what));
  }
}

}  // namespace mh::corpus
