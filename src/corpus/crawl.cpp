// The crawl's file side: the library is read, measured and walked; the choice is written.
#include "corpus/crawl.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <unistd.h>

#include "audio/audio_files.hpp"
#include "audio/read_audio.hpp"
#include "audio/resample.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/settings_fields.hpp"
#include "dsp/song_features.hpp"

namespace mh::corpus {
namespace fs = std::filesystem;
namespace {

// The same file however it was named (relative, through "..", through a link).
fs::path identity(const fs::path& p) {
  std::error_code ec;
  auto c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : c;
}

struct Measured {
  torch::Tensor features;  // [dims] float64
  double seconds = 0;
};

// A song's features from its first head_seconds, and its whole length. Throws AudioError.
Measured measure(const fs::path& path, double head_seconds) {
  // Decoded at its own rate: only the head is resampled, which is most of the time spent.
  const auto audio = audio::read_audio(path, 0);
  const int rate = audio.sample_rate_hz;
  const auto head_samples = std::min<int64_t>(audio.samples.numel(), static_cast<int64_t>(head_seconds * rate));
  const auto head = audio::resample(audio.samples.slice(0, 0, head_samples), rate, dsp::kNoteRateHz);
  if (head.numel() == 0 || head.abs().max().item<double>() == 0) {
    throw AudioError(fmt::format("{}: is silent: nothing to listen to", path.string()));
  }
  return {dsp::song_features(head), audio.duration_s()};
}

std::string relative_name(const fs::path& p, const fs::path& library) {
  const auto r = p.lexically_relative(library);
  return (r.empty() || *r.begin() == "..") ? p.string() : r.string();
}

// The output folder must be new or empty: a crawl never mixes with another's files.
void check_out(const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  if (!fs::is_directory(out, ec) || !fs::is_empty(out, ec)) {
    throw IoError(fmt::format("{}: already exists and is not an empty folder: give the crawl a new folder",
                              out.string()));
  }
}

// File names in the output: the library's, with a number added when two songs share one.
std::vector<std::string> output_names(const std::vector<fs::path>& chosen) {
  std::set<std::string> used;
  std::vector<std::string> names;
  for (const auto& p : chosen) {
    std::string name = p.filename().string();
    for (int k = 2; used.count(name); ++k) name = fmt::format("{}_{}{}", p.stem().string(), k, p.extension().string());
    used.insert(name);
    names.push_back(name);
  }
  return names;
}

std::string log_text(const fs::path& library, const CrawlSettings& s, const CrawlResult& r) {
  const auto name = [&](int64_t i) { return relative_name(r.songs[static_cast<size_t>(i)], library); };
  nlohmann::json head = {{"library", library.string()},
                         {"start", name(r.walk.chosen.front())},
                         {"settings", fields_to_json(crawl_fields(), s)},
                         {"songs_read", r.songs.size()},
                         {"distance", "euclidean over normalised mean log-mel, chroma and rhythm (docs/crawl.md)"}};
  head["skipped"] = nlohmann::json::array();
  for (const auto& k : r.skipped) head["skipped"].push_back({{"path", relative_name(k.path, library)}, {"reason", k.reason}});
  std::string text = head.dump() + "\n";
  for (size_t i = 0; i < r.walk.steps.size(); ++i) {
    const auto& step = r.walk.steps[i];
    nlohmann::json candidates = nlohmann::json::array();
    for (size_t c = 0; c < step.candidates.size(); ++c) {
      candidates.push_back({{"path", name(step.candidates[c])}, {"distance", step.distances[c]}});
    }
    text += nlohmann::json{{"step", i + 1}, {"from", name(step.from)}, {"candidates", candidates},
                           {"choice", name(step.choice)}}
                .dump() +
            "\n";
  }
  nlohmann::json chosen = nlohmann::json::array();
  for (const auto i : r.walk.chosen) chosen.push_back(name(i));
  text += nlohmann::json{{"stop", r.walk.stop}, {"songs", r.walk.chosen.size()}, {"seconds", r.walk.seconds},
                         {"chosen", chosen}}
              .dump() +
          "\n";
  return text;
}

// Links (absolute, so that the folder may move) or copies, and the log, in a staging folder
// beside `out` that is renamed into place last.
void write_out(const fs::path& out, const std::vector<std::string>& names, const CrawlResult& r, bool copy,
               const std::string& log) {
  const auto parent = fs::absolute(out).parent_path();
  const auto staging = parent / fmt::format(".{}.crawling.{}", out.filename().string(), ::getpid());
  try {
    fs::remove_all(staging);
    fs::create_directories(staging);
    for (size_t i = 0; i < names.size(); ++i) {
      const auto source = fs::absolute(r.library_files[i]);
      if (copy) {
        fs::copy_file(source, staging / names[i]);
      } else {
        fs::create_symlink(source, staging / names[i]);
      }
    }
    write_file_atomic(staging / "crawl.jsonl", log);
    std::error_code ec;
    if (fs::exists(out, ec)) fs::remove(out);  // empty: check_out said so
    fs::rename(staging, out);
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw IoError(fmt::format("{}: cannot write the crawl: {}", out.string(), e.code().message()));
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

}  // namespace

CrawlResult crawl(const fs::path& library, const fs::path& start, const fs::path& out, const CrawlSettings& settings,
                  const CrawlProgress& progress) {
  settings.validate();
  if (!fs::is_directory(library)) throw InputError(fmt::format("{}: library folder not found", library.string()));
  if (!fs::exists(start)) throw InputError(fmt::format("{}: start file not found", start.string()));
  const auto files = audio::list_audio_files(library);
  if (files.empty()) throw InputError(fmt::format("{}: the library holds no audio files", library.string()));
  const auto start_id = identity(start);
  const auto start_at = std::find_if(files.begin(), files.end(), [&](const fs::path& f) { return identity(f) == start_id; });
  if (start_at == files.end()) {
    throw InputError(fmt::format("{}: the start file is not an audio file of the library {}", start.string(),
                                 library.string()));
  }
  check_out(out);

  CrawlResult r;
  std::vector<torch::Tensor> features;
  std::vector<double> seconds;
  int64_t start_index = -1;
  for (size_t i = 0; i < files.size(); ++i) {
    try {
      const auto m = measure(files[i], settings.head_seconds);
      if (files.begin() + static_cast<std::ptrdiff_t>(i) == start_at) start_index = static_cast<int64_t>(r.songs.size());
      r.songs.push_back(files[i]);
      features.push_back(m.features);
      seconds.push_back(m.seconds);
    } catch (const InputError& e) {
      if (files.begin() + static_cast<std::ptrdiff_t>(i) == start_at) {
        throw InputError(fmt::format("the start file cannot be used: {}", e.what()));
      }
      r.skipped.push_back({files[i], e.what()});
    }
    if (progress) progress(files[i], i + 1, files.size());
  }
  const auto points = dsp::normalise_song_features(torch::stack(features), settings.colour_weight);
  r.walk = walk_library(points, seconds, start_index, settings);
  for (const auto i : r.walk.chosen) r.library_files.push_back(r.songs[static_cast<size_t>(i)]);
  const auto names = output_names(r.library_files);
  write_out(out, names, r, settings.copy, log_text(library, settings, r));
  for (const auto& n : names) r.written.push_back(out / n);
  r.log = out / "crawl.jsonl";
  return r;
}

}  // namespace mh::corpus
