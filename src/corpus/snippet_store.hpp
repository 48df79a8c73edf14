#pragma once
/// The snippet store of an agent: normalised log-mel snippets in one append-only binary file,
/// described by a manifest (songs, provenance, splits, checksums).
///
/// Folder layout:
///   snippets.bin   32-byte header ("MHSNIPPT", version, shape, encoding, header checksum), then
///                  items of n_mels·frames little-endian uint16 each, item i at 32 + i·item_bytes.
///   manifest.json  one JSON header line (format, version, body length and FNV-1a 64 checksum),
///                  then the body: shape, item count and every song with its items' checksums.
///
/// Quantisation: a value v in [0, 1] is stored as round(v·65535); values outside [0, 1] are
/// clamped first. Reading gives q/65535, so the error on [0, 1] is at most 0.5/65535 ≈ 7.7e-6
/// (plus float32 rounding, < 6e-8). A 2-s snippet (128×128) takes 32 KiB; 50 000 take 1.6 GB on
/// disk, none of which is held in memory: reads are one pread per requested item.
///
/// Crash safety: appending writes items after the committed end, fsyncs them, then replaces the
/// manifest atomically. The manifest alone says what is stored: bytes beyond its item count are
/// ignored when opening and cut off when the next append begins, so a killed append leaves the
/// store exactly as it was. Every item read is checked against its checksum.
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "corpus/manifest.hpp"

namespace mh::corpus {

/// Largest quantisation error of a stored value in [0, 1].
constexpr double kQuantisationError = 0.5 / 65535.0;

class AppendSession;

class SnippetStore {
 public:
  /// Creates an empty store in `dir` (created if needed). Throws DatasetError when `dir` already
  /// holds a store or the shape is outside n_mels [1, 4096], frames [1, 65536]; IoError when a
  /// file cannot be written.
  static SnippetStore create(const std::filesystem::path& dir, StoreShape shape);
  /// Opens the store in `dir`, checking the manifest (format, version, checksum), the data
  /// header (magic, version, shape) and that the data file holds every committed item. Item
  /// bytes are checked when read, or all at once by verify(). Throws DatasetError, one line
  /// naming the file and the problem.
  static SnippetStore open(const std::filesystem::path& dir);

  SnippetStore(SnippetStore&&) noexcept;
  SnippetStore& operator=(SnippetStore&&) noexcept;
  ~SnippetStore();

  const std::filesystem::path& dir() const;
  const StoreShape& shape() const;
  /// Committed items.
  int64_t size() const;
  /// Reflects the last commit of this object.
  const Manifest& manifest() const;
  /// Item ids of every song on `split`, ascending.
  std::vector<int64_t> ids(Split split) const;

  /// Items `ids` (each in [0, size()), repeats allowed) as [B, 1, n_mels, frames] float32 on the
  /// CPU, values in [0, 1]. Reads only those items' bytes. Throws DatasetError for an id out of
  /// range, a short read or an item whose checksum does not match. Safe to call from several
  /// threads at once.
  torch::Tensor read(const std::vector<int64_t>& ids) const;

  /// Every snippet of song `song_id` in order: [n_snippets, 1, n_mels, frames] float32. Throws
  /// DatasetError as read() does, or when the song id is out of range.
  torch::Tensor read_song(int64_t song_id) const;

  /// Appends one song as its own transaction (see AppendSession); returns its song id.
  /// snippets: [N >= 1, n_mels, frames] (or [N, 1, n_mels, frames]) of any float dtype.
  int64_t append_song(const SongRecord& record, const torch::Tensor& snippets, const Provenance& provenance);
  /// Starts a transaction that appends any number of songs and commits them together. The
  /// store must outlive the session. Throws DatasetError when another session (this process or
  /// another) is appending, or when the store was changed on disk since it was opened.
  AppendSession begin_append();

  /// Reads every committed item and checks its checksum. Throws DatasetError naming how many
  /// items are corrupt and the first one.
  void verify() const;

  /// Bytes read from the data file by read() and verify() since opening: lets a caller (and the
  /// tests) check that a batch reads only its own items.
  std::uint64_t bytes_read() const;

  struct State;

 private:
  explicit SnippetStore(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// Appends songs to a store and commits them together. Until commit() nothing is visible to the
/// store's manifest and nothing already stored is at risk; a session destroyed without commit
/// (an exception, a kill) leaves the store as it was.
class AppendSession {
 public:
  AppendSession(AppendSession&&) noexcept;
  AppendSession& operator=(AppendSession&&) = delete;
  ~AppendSession();

  /// Writes one song's snippets (quantised) after the previous ones; returns the song id it will
  /// have once committed. Throws ShapeError for a wrong shape, InputError for NaN/Inf values,
  /// DatasetError for an inconsistent record or provenance (see check_provenance) or a session
  /// already committed, IoError when writing fails.
  int64_t add_song(const SongRecord& record, const torch::Tensor& snippets, const Provenance& provenance);
  /// Songs added so far in this session (not yet committed).
  int64_t pending_songs() const;
  /// The manifest as it will be after commit.
  const Manifest& pending_manifest() const;
  /// Flushes the data to disk, then atomically replaces the manifest. Throws IoError; on failure
  /// the store is unchanged.
  void commit();

 private:
  friend class SnippetStore;
  struct Impl;
  explicit AppendSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The items of one split as a dense index range [0, size()), as a trainer wants them: index i
/// is the i-th item id of the split at construction time. Holds a reference to the store.
class SplitView {
 public:
  SplitView(const SnippetStore& store, Split split);
  int64_t size() const { return static_cast<int64_t>(ids_.size()); }
  /// [B, 1, n_mels, frames] float32. Throws DatasetError for an index outside [0, size()).
  torch::Tensor batch(const std::vector<int64_t>& indices) const;
  const std::vector<int64_t>& item_ids() const { return ids_; }

 private:
  const SnippetStore* store_;
  std::vector<int64_t> ids_;
};

}  // namespace mh::corpus
