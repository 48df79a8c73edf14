#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus/data_file.hpp"
#include "corpus/snippet_store.hpp"

namespace mh::corpus {
namespace fs = std::filesystem;

struct AppendSession::Impl {
  SnippetStore::State* state = nullptr;
  detail::Fd fd;  ///< read-write, holding the exclusive lock
  Manifest pending;
  int64_t pending_songs = 0;
  bool committed = false;

  ~Impl() {
    if (state) state->appending = false;
  }
};

AppendSession SnippetStore::begin_append() {
  const auto& path = state_->data_path;
  if (state_->appending) throw DatasetError(fmt::format("{}: an append is already in progress", state_->dir.string()));
  detail::Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) throw DatasetError(fmt::format("{}: cannot open for writing: {}", path.string(), std::strerror(errno)));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    throw DatasetError(fmt::format("{}: another process is appending to this store", state_->dir.string()));
  }
  // Under the lock: what is committed on disk must be what this object knows, or the cut below
  // would drop another writer's songs.
  const Manifest on_disk = detail::load_manifest(state_->dir);
  if (on_disk.n_items() != state_->manifest.n_items() ||
      on_disk.songs().size() != state_->manifest.songs().size()) {
    throw DatasetError(fmt::format("{}: the store was changed by another process since it was opened; open it again",
                                   state_->dir.string()));
  }
  // Bytes past the committed end are left over from an append that never committed.
  if (::ftruncate(fd.get(), detail::item_offset(shape(), size())) != 0) {
    throw IoError(fmt::format("{}: cannot cut uncommitted bytes: {}", path.string(), std::strerror(errno)));
  }
  auto impl = std::make_unique<AppendSession::Impl>();
  impl->fd = std::move(fd);
  impl->pending = state_->manifest;
  impl->state = state_.get();
  state_->appending = true;
  return AppendSession(std::move(impl));
}

int64_t SnippetStore::append_song(const SongRecord& record, const torch::Tensor& snippets, const Provenance& provenance) {
  auto session = begin_append();
  const int64_t id = session.add_song(record, snippets, provenance);
  session.commit();
  return id;
}

AppendSession::AppendSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AppendSession::AppendSession(AppendSession&&) noexcept = default;
AppendSession::~AppendSession() = default;

int64_t AppendSession::pending_songs() const { return impl_->pending_songs; }
const Manifest& AppendSession::pending_manifest() const { return impl_->pending; }

int64_t AppendSession::add_song(const SongRecord& record, const torch::Tensor& snippets, const Provenance& provenance) {
  if (impl_->committed) throw DatasetError("append session already committed");
  const auto shape = impl_->pending.shape();
  const bool ok3 = snippets.dim() == 3 && snippets.size(1) == shape.n_mels && snippets.size(2) == shape.frames;
  const bool ok4 = snippets.dim() == 4 && snippets.size(1) == 1 && snippets.size(2) == shape.n_mels &&
                   snippets.size(3) == shape.frames;
  if (!(ok3 || ok4) || snippets.size(0) < 1 || !snippets.is_floating_point()) {
    throw ShapeError(fmt::format("song '{}': snippets: got [{}] {}, expected [N >= 1, {}, {}] floating point",
                                 record.title, fmt::join(snippets.sizes(), ", "), c10::toString(snippets.scalar_type()), shape.n_mels,
                                 shape.frames));
  }
  const int64_t n = snippets.size(0);
  check_provenance(provenance);
  const auto q = detail::quantise(snippets.reshape({n, shape.values()}));
  const auto bytes = static_cast<std::size_t>(detail::item_bytes(shape));
  std::vector<std::uint64_t> checksums;
  checksums.reserve(static_cast<std::size_t>(n));
  const auto* raw = reinterpret_cast<const char*>(q.data());
  for (int64_t i = 0; i < n; ++i) checksums.push_back(fnv1a64(std::string_view(raw + i * bytes, bytes)));
  // Written before the manifest knows of them: a failure here leaves only ignorable bytes.
  detail::pwrite_full(impl_->fd.get(), raw, bytes * static_cast<std::size_t>(n),
                      detail::item_offset(shape, impl_->pending.n_items()), impl_->state->data_path);
  const int64_t id = impl_->pending.add(record, provenance, std::move(checksums));
  ++impl_->pending_songs;
  return id;
}

void AppendSession::commit() {
  if (impl_->committed) throw DatasetError("append session already committed");
  if (impl_->pending_songs > 0) {
    const auto& path = impl_->state->data_path;
    if (::fsync(impl_->fd.get()) != 0) {
      throw IoError(fmt::format("{}: fsync failed: {}", path.string(), std::strerror(errno)));
    }
    write_file_atomic(impl_->state->dir / detail::kManifestFileName, impl_->pending.serialise());
    impl_->state->manifest = impl_->pending;
  }
  impl_->committed = true;
}

}  // namespace mh::corpus
