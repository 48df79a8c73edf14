#include "corpus/snippet_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "corpus/data_file.hpp"

namespace mh::corpus {
namespace fs = std::filesystem;
using detail::Fd;

namespace {

void check_shape(const StoreShape& s) {
  if (s.n_mels < 1 || s.n_mels > 4096 || s.frames < 1 || s.frames > 65536) {
    throw DatasetError(fmt::format("snippet shape {}x{} is out of range: n_mels [1, 4096], frames [1, 65536]",
                                   s.n_mels, s.frames));
  }
}

/// Throws DatasetError when the data file is foreign, has another shape or holds fewer bytes than
/// the committed items need.
void check_data_file(int fd, const fs::path& path, const Manifest& manifest) {
  std::string header(detail::kHeaderBytes, '\0');
  header.resize(detail::pread_full(fd, header.data(), header.size(), 0));
  const StoreShape shape = detail::decode_header(header, path.string());
  if (!(shape == manifest.shape())) {
    throw DatasetError(fmt::format("{}: holds {}x{} snippets but the manifest says {}x{}", path.string(), shape.n_mels,
                                   shape.frames, manifest.shape().n_mels, manifest.shape().frames));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw DatasetError(fmt::format("{}: cannot stat: {}", path.string(), std::strerror(errno)));
  const auto need = detail::item_offset(shape, manifest.n_items());
  if (st.st_size < need) {
    throw DatasetError(fmt::format("{}: truncated: {} bytes, the manifest's {} items need {}", path.string(),
                                   st.st_size, manifest.n_items(), need));
  }
}

std::string describe(const ItemRecord& r) {
  return fmt::format("item {} (song {} '{}', snippet {})", r.item_id, r.song_id, r.song->record.title, r.snippet_index);
}

}  // namespace

SnippetStore::SnippetStore(std::unique_ptr<State> state) : state_(std::move(state)) {}
SnippetStore::SnippetStore(SnippetStore&&) noexcept = default;
SnippetStore& SnippetStore::operator=(SnippetStore&&) noexcept = default;
SnippetStore::~SnippetStore() = default;

SnippetStore SnippetStore::create(const fs::path& dir, StoreShape shape) {
  check_shape(shape);
  std::error_code ec;
  if (fs::exists(dir / detail::kManifestFileName, ec)) {
    throw DatasetError(fmt::format("{}: already holds a snippet store", dir.string()));
  }
  fs::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create directory: {}", dir.string(), ec.message()));
  // The data file first: a crash before the manifest leaves no store, which create() may redo.
  write_file_atomic(dir / detail::kDataFileName, detail::encode_header(shape));
  write_file_atomic(dir / detail::kManifestFileName, Manifest(shape).serialise());
  return open(dir);
}

SnippetStore SnippetStore::open(const fs::path& dir) {
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->data_path = dir / detail::kDataFileName;
  state->manifest = detail::load_manifest(dir);
  const int fd = ::open(state->data_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw DatasetError(fmt::format("{}: cannot open: {}", state->data_path.string(), std::strerror(errno)));
  }
  state->read_fd = Fd(fd);
  check_data_file(fd, state->data_path, state->manifest);
  return SnippetStore(std::move(state));
}

const fs::path& SnippetStore::dir() const { return state_->dir; }
const StoreShape& SnippetStore::shape() const { return state_->manifest.shape(); }
int64_t SnippetStore::size() const { return state_->manifest.n_items(); }
const Manifest& SnippetStore::manifest() const { return state_->manifest; }
std::vector<int64_t> SnippetStore::ids(Split split) const { return state_->manifest.item_ids(split); }
std::uint64_t SnippetStore::bytes_read() const { return state_->bytes_read.load(); }

torch::Tensor SnippetStore::read(const std::vector<int64_t>& ids) const {
  const auto& m = state_->manifest;
  const auto shape = m.shape();
  for (const auto id : ids) {
    if (id < 0 || id >= m.n_items()) {
      throw DatasetError(fmt::format("{}: item id {} out of range [0, {})", state_->dir.string(), id, m.n_items()));
    }
  }
  auto out = torch::empty({static_cast<int64_t>(ids.size()), 1, shape.n_mels, shape.frames}, torch::kFloat32);
  const auto bytes = static_cast<std::size_t>(detail::item_bytes(shape));
  std::vector<std::uint16_t> buf(static_cast<std::size_t>(shape.values()));
  float* dst = out.data_ptr<float>();
  for (std::size_t b = 0; b < ids.size(); ++b) {
    const auto got = detail::pread_full(state_->read_fd.get(), buf.data(), bytes, detail::item_offset(shape, ids[b]));
    state_->bytes_read += got;
    const auto record = m.item(ids[b]);
    if (got != bytes) {
      throw DatasetError(fmt::format("{}: truncated: {} is cut short", state_->data_path.string(), describe(record)));
    }
    if (fnv1a64(std::string_view(reinterpret_cast<const char*>(buf.data()), bytes)) != record.checksum) {
      throw DatasetError(fmt::format("{}: {} is corrupt: checksum mismatch", state_->data_path.string(), describe(record)));
    }
    detail::dequantise(buf.data(), shape.values(), dst + static_cast<int64_t>(b) * shape.values());
  }
  return out;
}

torch::Tensor SnippetStore::read_song(int64_t song_id) const {
  const auto& song = state_->manifest.song(song_id);
  std::vector<int64_t> ids(static_cast<std::size_t>(song.n_snippets()));
  for (int64_t i = 0; i < song.n_snippets(); ++i) ids[static_cast<std::size_t>(i)] = song.first_item + i;
  return read(ids);
}

void SnippetStore::verify() const {
  const auto& m = state_->manifest;
  check_data_file(state_->read_fd.get(), state_->data_path, m);
  const auto bytes = static_cast<std::size_t>(detail::item_bytes(m.shape()));
  std::vector<char> buf(bytes);
  int64_t bad = 0;
  int64_t first_bad = -1;
  for (int64_t id = 0; id < m.n_items(); ++id) {
    const auto got = detail::pread_full(state_->read_fd.get(), buf.data(), bytes, detail::item_offset(m.shape(), id));
    state_->bytes_read += got;
    if (got != bytes || fnv1a64(std::string_view(buf.data(), bytes)) != m.item(id).checksum) {
      if (bad++ == 0) first_bad = id;
    }
  }
  if (bad > 0) {
    throw DatasetError(fmt::format("{}: {} of {} items are corrupt (checksum mismatch); first: {}",
                                   state_->data_path.string(), bad, m.n_items(), describe(m.item(first_bad))));
  }
}

SplitView::SplitView(const SnippetStore& store, Split split) : store_(&store), ids_(store.ids(split)) {}

torch::Tensor SplitView::batch(const std::vector<int64_t>& indices) const {
  std::vector<int64_t> ids;
  ids.reserve(indices.size());
  for (const auto i : indices) {
    if (i < 0 || i >= size()) throw DatasetError(fmt::format("snippet index {} out of range [0, {})", i, size()));
    ids.push_back(ids_[static_cast<std::size_t>(i)]);
  }
  return store_->read(ids);
}

}  // namespace mh::corpus
