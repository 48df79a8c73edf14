#pragma once
/// The manifest of a snippet store: every song and every snippet item with its provenance.
/// Items of one song are contiguous in the data file, so an item's record is assembled from its
/// song's record plus its position and checksum; the manifest stays small (about 25 bytes per
/// item on disk) while every item still has a complete record.
#include <cstdint>
#include <string>
#include <vector>

namespace mh::corpus {

/// Which side of the split a song (and so all its snippets) is on. Human recordings are split
/// by song: train (ML1/ML2 learn from it), validation (held out for losses) and reference
/// (held out for the conversation measures).
enum class Split { kTrain, kValidation, kReference };

/// How a song came to be: a human recording, or made by an agent (imitation of a human song,
/// variation of a song, free machine song).
enum class SongKind { kHuman, kImitation, kVariation, kMachine };

/// "train", "validation", "reference".
std::string to_string(Split split);
/// "human", "imitation", "variation", "machine".
std::string to_string(SongKind kind);
/// Inverse of to_string; throws DatasetError naming the unknown word.
Split parse_split(const std::string& word);
SongKind parse_song_kind(const std::string& word);

/// What a caller says about a song it appends.
struct SongRecord {
  std::string title;              ///< for people: usually the file's stem
  std::string source;             ///< the source file (as given) or a description of how it was made
  double duration_s = 0;          ///< length of the audio the snippets were cut from, in seconds
  double snippet_seconds = 0;     ///< length of one snippet in seconds (> 0)
  std::uint64_t content_hash = 0; ///< hash of the source file's bytes (0: none), for duplicate detection
};

/// One step of a song's lineage in a conversation: who sang what. A chain of steps from the
/// step that started it (an excerpt of a human recording, a machine song, a recording played)
/// to the song itself lets an agent's dataset alone trace any item back to its root.
struct LineageStep {
  std::string song;     ///< session-wide song id: "<session id>/<song number>"
  std::string singer;   ///< the agent that sang it
  std::string act;      ///< human (an excerpt of a human song), machine, file, imitation, variation
  double sigma = 0;     ///< latent noise of a variation
  std::string from;     ///< first step only: what it came from (a recording's title or file, "ML2")
  bool operator==(const LineageStep& o) const {
    return song == o.song && singer == o.singer && act == o.act && sigma == o.sigma && from == o.from;
  }
};

/// Where a song's snippets come from.
struct Provenance {
  std::string origin = "human";   ///< "human" or the name of the agent that made the song
  SongKind kind = SongKind::kHuman;
  int depth = 0;                  ///< lineage depth: 0 = human recording, +1 per machine re-rendering
  int round = -1;                 ///< conversation round; -1 for ingest
  std::uint64_t seed = 0;         ///< seed the song was made with (0 for human recordings)
  double variation_sigma = 0;     ///< latent noise of a variation, >= 0
  Split split = Split::kTrain;
  std::string song_key;           ///< conversation songs: the session-wide song id (empty otherwise)
  std::vector<LineageStep> lineage;  ///< conversation songs: root first, this song last
};

/// A song as stored.
struct StoredSong {
  int64_t id = 0;
  SongRecord record;
  Provenance provenance;
  int64_t first_item = 0;                ///< item id of its first snippet
  std::vector<std::uint64_t> checksums;  ///< FNV-1a 64 of each snippet's stored bytes, in order
  int64_t n_snippets() const { return static_cast<int64_t>(checksums.size()); }
};

/// The full record of one item, assembled from its song.
struct ItemRecord {
  int64_t item_id = 0;
  int64_t song_id = 0;
  int64_t snippet_index = 0;  ///< position in the song, 0-based
  double start_s = 0;         ///< snippet_index · snippet_seconds: start in the song after silence removal
  std::uint64_t checksum = 0;
  const StoredSong* song = nullptr;  ///< source, origin, depth, round, seed, sigma, split, kind, lineage
};

struct StoreShape {
  int64_t n_mels = 0;  ///< [1, 4096]
  int64_t frames = 0;  ///< [1, 65536]
  int64_t values() const { return n_mels * frames; }
  bool operator==(const StoreShape& o) const { return n_mels == o.n_mels && frames == o.frames; }
};

class Manifest {
 public:
  Manifest() = default;
  explicit Manifest(StoreShape shape) : shape_(shape) {}

  const StoreShape& shape() const { return shape_; }
  int64_t n_items() const { return static_cast<int64_t>(item_song_.size()); }
  const std::vector<StoredSong>& songs() const { return songs_; }
  /// Throws DatasetError when `id` is out of range.
  const StoredSong& song(int64_t id) const;
  /// Throws DatasetError when `item_id` is out of range.
  ItemRecord item(int64_t item_id) const;
  /// Item ids of every song on `split`, ascending.
  std::vector<int64_t> item_ids(Split split) const;
  /// Id of a stored song whose content_hash is `hash` (non-zero), or -1.
  int64_t find_content(std::uint64_t hash) const;

  /// Adds a song whose items follow the last stored item; returns its id. Throws DatasetError
  /// when the provenance is inconsistent (see check_provenance) or the record is malformed.
  int64_t add(const SongRecord& record, const Provenance& provenance, std::vector<std::uint64_t> checksums);

  /// The manifest file's bytes: a one-line JSON header with the body's length and checksum,
  /// then the body as JSON.
  std::string serialise() const;
  /// Parses and checks serialise()'s output; every problem is one DatasetError line prefixed
  /// with `name`.
  static Manifest parse(const std::string& bytes, const std::string& name);

 private:
  StoreShape shape_;
  std::vector<StoredSong> songs_;
  std::vector<int32_t> item_song_;  ///< song index of every item
};

/// Throws DatasetError unless: origin non-empty; human kind ⇔ origin "human" ⇔ depth 0;
/// depth in [0, 1000]; round >= -1; variation_sigma finite and >= 0; every lineage step complete.
void check_provenance(const Provenance& p);

}  // namespace mh::corpus
