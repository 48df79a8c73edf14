#include "corpus/ingest.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "audio/audio_files.hpp"
#include "audio/read_audio.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"
#include "dsp/front_end.hpp"

namespace mh::corpus {
namespace fs = std::filesystem;
namespace {

bool hidden(const fs::path& p) {
  const auto name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

/// Lines of the report in path order; `candidates` are the indices of audio files to ingest.
struct Listing {
  std::vector<FileReport> lines;
  std::vector<std::size_t> candidates;
};

void refuse(Listing& l, const fs::path& path, FileStatus status, std::string reason) {
  FileReport r;
  r.path = path;
  r.status = status;
  r.reason = std::move(reason);
  l.lines.push_back(std::move(r));
}

void take(Listing& l, const fs::path& path) {
  FileReport r;
  r.path = path;
  l.candidates.push_back(l.lines.size());
  l.lines.push_back(std::move(r));
}

void list_folder(const fs::path& dir, Listing& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) {
    refuse(out, dir, FileStatus::kUnreadable, "cannot list the folder: " + ec.message());
    return;
  }
  std::vector<std::pair<fs::path, bool>> entries;  // path, is a candidate
  std::vector<std::pair<fs::path, std::pair<FileStatus, std::string>>> refused;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path p = it->path();
    const bool link = it->is_symlink(ec);
    const bool folder = it->is_directory(ec);
    if (hidden(p)) {
      if (folder) it.disable_recursion_pending();
      refused.push_back({p, {FileStatus::kHidden, folder ? "hidden folder skipped" : "hidden file skipped"}});
    } else if (folder && link) {
      refused.push_back({p, {FileStatus::kNotAudio, "a link to a folder is not followed"}});
    } else if (folder) {
      continue;
    } else if (!it->is_regular_file(ec)) {
      refused.push_back({p, {FileStatus::kNotAudio, "not a regular file"}});
    } else if (!audio::is_audio_file(p)) {
      refused.push_back({p, {FileStatus::kNotAudio, "not an audio file name (wav, flac, ogg, opus, mp3, aiff)"}});
    } else {
      entries.push_back({p, true});
    }
  }
  if (ec) refuse(out, dir, FileStatus::kUnreadable, "listing stopped part way: " + ec.message());
  for (const auto& [p, why] : refused) entries.push_back({p, false});
  if (entries.empty()) {
    refuse(out, dir, FileStatus::kEmptyFolder, "the folder holds no files");
    return;
  }
  // Sorted by path, as audio::list_audio_files orders them, so every machine ingests alike.
  std::map<fs::path, std::pair<FileStatus, std::string>> why(refused.begin(), refused.end());
  std::sort(entries.begin(), entries.end());
  for (const auto& [p, candidate] : entries) {
    if (candidate) {
      take(out, p);
    } else {
      refuse(out, p, why[p].first, why[p].second);
    }
  }
}

Listing list_inputs(const std::vector<fs::path>& inputs) {
  Listing l;
  for (const auto& input : inputs) {
    std::error_code ec;
    const auto st = fs::status(input, ec);
    if (ec || !fs::exists(st)) {
      refuse(l, input, FileStatus::kMissing, "no such file or folder");
    } else if (fs::is_directory(st)) {
      list_folder(input, l);
    } else {
      take(l, input);  // a file named explicitly is read whatever its name
    }
  }
  return l;
}

dsp::HpssSettings hpss_settings(const dsp::FrontEndSettings& front, const IngestSettings& s) {
  dsp::HpssSettings h;
  h.stft = front.mel.stft;
  h.kernel_harmonic = s.hpss_kernel;
  h.kernel_percussive = s.hpss_kernel;
  return h;
}

/// Decodes and cuts one file into [N, n_mels, frames] snippets; fills the line's lengths, or
/// marks it refused and returns an undefined tensor.
torch::Tensor snippets_of(FileReport& line, const dsp::FrontEndSettings& front, const dsp::MelFrontEnd& mel,
                          const IngestSettings& s) {
  const int sr = front.mel.sample_rate_hz;
  const auto buffer = audio::read_audio(line.path, sr, s.max_seconds);
  line.warnings = buffer.warnings;
  line.duration_s = buffer.duration_s();
  const auto signal = dsp::stem(buffer.samples, s.stem, hpss_settings(front, s));
  auto cut = dsp::snippets_from(signal, front, mel, {true, s.mel_batch});
  line.kept_s = static_cast<double>(cut.kept_samples) / sr;
  if (cut.kept_samples == 0) {
    line.status = FileStatus::kSilent;
    line.reason = fmt::format("no {}-s window is above {} dBFS", front.snippet.silence_window_seconds,
                              front.snippet.silence_threshold_dbfs);
    return {};
  }
  if (line.kept_s < s.min_seconds) {
    line.status = FileStatus::kTooShort;
    line.reason = fmt::format("only {:.3f} s above the silence threshold, at least {} s needed", line.kept_s,
                              s.min_seconds);
    return {};
  }
  return cut.mel;
}

}  // namespace

void IngestSettings::validate() const {
  check_range("ingest.hpss_kernel", hpss_kernel, 1, 1023);
  if (hpss_kernel % 2 == 0) {
    throw SettingsError(fmt::format("ingest.hpss_kernel = {} must be odd: allowed 1, 3, 5, ... 1023", hpss_kernel));
  }
  if (!(max_seconds > 0 && max_seconds <= 86400)) {
    throw SettingsError(fmt::format("ingest.max_seconds = {} is out of range: allowed (0, 86400]", max_seconds));
  }
  check_range("ingest.min_seconds", min_seconds, 0.0, 60.0);
  check_range<int64_t>("ingest.mel_batch", mel_batch, 1, 4096);
  split.validate();
}

std::uint64_t file_content_hash(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  std::vector<unsigned char> buf(1 << 20);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64, as mh::fnv1a64
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw InputError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      h ^= buf[static_cast<std::size_t>(i)];
      h *= 1099511628211ull;
    }
  }
  ::close(fd);
  return h;
}

IngestReport ingest(SnippetStore& store, const std::vector<fs::path>& files_or_folders,
                    const dsp::FrontEndSettings& front, const IngestSettings& settings, const IngestProgress& progress) {
  settings.validate();
  front.validate();
  const StoreShape want{front.mel.n_mels, front.frames()};
  if (!(want == store.shape())) {
    throw DatasetError(fmt::format("{}: the store holds {}x{} snippets but the front end makes {}x{}",
                                   store.dir().string(), store.shape().n_mels, store.shape().frames, want.n_mels,
                                   want.frames));
  }
  Listing listing = list_inputs(files_or_folders);
  auto& lines = listing.lines;

  // Content hashes first: duplicates are refused before decoding, and splits are planned from them.
  std::vector<std::size_t> fresh;
  std::vector<std::uint64_t> keys;
  std::map<std::uint64_t, fs::path> seen;
  for (const auto i : listing.candidates) {
    auto& line = lines[i];
    std::uint64_t hash = 0;
    try {
      hash = file_content_hash(line.path);
    } catch (const InputError& e) {
      line.status = FileStatus::kUnreadable;
      line.reason = e.what();
      continue;
    }
    const int64_t stored = store.manifest().find_content(hash);
    if (stored >= 0) {
      const auto& s = store.manifest().song(stored);
      line.status = FileStatus::kDuplicate;
      line.reason = fmt::format("same content as stored song {} '{}' ({})", s.id, s.record.title, s.record.source);
    } else if (seen.count(hash)) {
      line.status = FileStatus::kDuplicate;
      line.reason = fmt::format("same content as {} in this ingest", seen[hash].string());
    } else {
      seen[hash] = line.path;
      fresh.push_back(i);
      keys.push_back(hash);
    }
  }
  const auto splits = assign_splits(keys, human_split_counts(store.manifest()), settings.split);

  const dsp::MelFrontEnd mel(front.mel);
  const double snippet_seconds =
      static_cast<double>(front.snippet.snippet_samples(front.mel.sample_rate_hz)) / front.mel.sample_rate_hz;
  auto session = store.begin_append();
  for (std::size_t k = 0; k < fresh.size(); ++k) {
    auto& line = lines[fresh[k]];
    torch::Tensor snippets;
    try {
      snippets = snippets_of(line, front, mel, settings);
    } catch (const InputError& e) {
      line.status = FileStatus::kUnreadable;
      line.reason = e.what();
    }
    if (snippets.defined()) {
      SongRecord record;
      record.title = line.path.stem().string();
      record.source = line.path.string();
      record.duration_s = line.duration_s;
      record.snippet_seconds = snippet_seconds;
      record.content_hash = keys[k];
      Provenance provenance;  // human recording: origin "human", depth 0, round -1
      provenance.split = splits[k];
      line.song_id = session.add_song(record, snippets, provenance);
      line.n_snippets = snippets.size(0);
      line.split = to_string(splits[k]);
    }
    if (progress) progress(line, k + 1, fresh.size());
  }
  session.commit();
  return IngestReport{std::move(lines)};
}

}  // namespace mh::corpus
