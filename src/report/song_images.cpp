#include "report/song_images.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "conversation/session_paths.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::report {
namespace fs = std::filesystem;

namespace {

constexpr double kRangeDb = 80;  // the front end's own top_db: what the models keep of a snippet
constexpr std::size_t kKeptSpectrograms = 64;  // computed once and held until drawn

/// A song's picture, relative to the report folder.
std::string picture_of(int song) { return fmt::format("{}/{:04d}.png", conversation::kReportMelDir, song); }

/// levels.json: {"range_db": r, "top_db": t, "peaks": {"<song>": peak_db}}. Anything unreadable
/// is an empty cache: images are redrawn, never trusted blindly.
struct LevelCache {
  std::optional<DbRange> range;
  std::map<int, double> peaks;
};

LevelCache read_levels(const fs::path& file) {
  LevelCache cache;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return cache;
  try {
    const auto j = nlohmann::json::parse(read_file(file, 1 << 24));
    if (j.at("range_db").get<double>() == kRangeDb) cache.range = DbRange{j.at("top_db").get<double>(), kRangeDb};
    for (const auto& [song, peak] : j.at("peaks").items()) cache.peaks[std::stoi(song)] = peak.get<double>();
  } catch (const std::exception&) {
    return {};
  }
  return cache;
}

std::string levels_json(const DbRange& range, const std::map<int, double>& peaks) {
  nlohmann::json j = {{"range_db", range.range_db}, {"top_db", range.top_db}, {"peaks", nlohmann::json::object()}};
  for (const auto& [song, peak] : peaks) j["peaks"][std::to_string(song)] = peak;
  return j.dump(1);
}

}  // namespace

SongImages draw_song_images(const SessionData& session, const fs::path& report_dir, bool redraw, double max_seconds) {
  const auto mel_dir = report_dir / conversation::kReportMelDir;
  std::error_code ec;
  fs::create_directories(mel_dir, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create: {}", mel_dir.string(), ec.message()));
  const auto cache = read_levels(mel_dir / "levels.json");
  // The levels may take half the time: the pictures need the rest.
  const auto started = std::chrono::steady_clock::now();
  auto out_of_time = [&](double share) {
    return max_seconds > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= share * max_seconds;
  };

  // First every song's levels (from the cache where its image is newer than its WAV), then the
  // session's range, then the pictures: the range must be known before the first is drawn.
  struct Song {
    int number;
    fs::path wav;
    std::string relative;
    bool fresh;
  };
  std::vector<Song> songs;
  std::map<int, double> peaks;
  std::map<int, torch::Tensor> computed;
  SongImages out;
  auto compute = [&](const Song& s) -> bool {
    try {
      auto db = mel_db_of_audio(s.wav);
      peaks[s.number] = db.numel() ? db.max().item<double>() : silence_db();
      // A week of songs never drawn would not fit in memory: the rest are computed again to draw.
      if (computed.size() < kKeptSpectrograms) computed[s.number] = std::move(db);
      return true;
    } catch (const InputError& e) {
      // A WAV being written right now or damaged: the song stays listed without a picture.
      out.warnings.push_back(fmt::format("song {}: no spectrogram: {}", s.number, e.what()));
      return false;
    }
  };
  std::set<int> listed;
  // Newest first: when time runs out, the songs left without a picture are the oldest.
  for (auto song = session.songs.rbegin(); song != session.songs.rend(); ++song) {
    listed.insert(song->number);
    if (song->wav.empty()) {
      // The songs cap removed its audio: the picture drawn before is all that is left of it.
      const auto relative = picture_of(song->number);
      if (song->pruned && fs::is_regular_file(report_dir / relative, ec)) {
        out.paths.emplace_back(song->number, relative);
        ++out.kept;
      }
      continue;
    }
    Song s{song->number, session.dir / song->wav, picture_of(song->number), false};
    const auto png = report_dir / s.relative;
    const auto wav_time = fs::last_write_time(s.wav, ec);
    const bool wav_ok = !ec;
    const auto png_time = fs::last_write_time(png, ec);
    const auto cached = cache.peaks.find(s.number);
    s.fresh = !redraw && wav_ok && !ec && png_time >= wav_time && cached != cache.peaks.end();
    if (s.fresh) peaks[s.number] = cached->second;
    else if (out_of_time(0.5)) {
      ++out.left;
      continue;
    } else if (!compute(s)) {
      continue;
    }
    songs.push_back(std::move(s));
  }

  // Songs not listed here (older than a page's window, or pruned) keep their level while their
  // picture exists: the range stays the one their pictures were drawn with.
  std::map<int, double> others;
  for (const auto& [n, p] : cache.peaks) {
    if (!listed.count(n) && fs::is_regular_file(report_dir / picture_of(n), ec)) others.emplace(n, p);
  }
  for (const auto& [n, relative] : out.paths) {
    if (const auto it = cache.peaks.find(n); it != cache.peaks.end()) others.emplace(n, it->second);
  }
  double peak = -INFINITY;
  for (const auto* levels : {&peaks, &others}) {
    for (const auto& [n, p] : *levels) peak = std::max(peak, p);
  }
  out.range = session_db_range(peak, kRangeDb);
  const bool range_moved = !cache.range || std::abs(cache.range->top_db - out.range.top_db) > 1e-6;

  for (const auto& s : songs) {
    if (s.fresh && !range_moved) {
      ++out.kept;
      out.paths.emplace_back(s.number, s.relative);
      continue;
    }
    if (out_of_time(1.0)) {
      ++out.left;
      continue;
    }
    if (!computed.count(s.number) && !compute(s)) continue;
    write_file_atomic(report_dir / s.relative, mel_png(computed.at(s.number), out.range));
    computed.erase(s.number);
    ++out.drawn;
    out.paths.emplace_back(s.number, s.relative);
  }
  // Only the levels of pictures drawn on this range are remembered: a song left for lack of time
  // is looked at again by the next call, even when an old picture of it exists.
  for (const auto& [n, relative] : out.paths) {
    if (const auto it = peaks.find(n); it != peaks.end()) others[n] = it->second;
  }
  if (out.left > 0) {
    out.warnings.push_back(fmt::format("{} older songs have no spectrogram yet (no time left to draw them): "
                                       "`metahuman report --session {}` draws them",
                                       out.left, session.dir.string()));
  }
  // The live page redraws often and mostly draws nothing: the file is written only when it changes.
  if (range_moved || others != cache.peaks) write_file_atomic(mel_dir / "levels.json", levels_json(out.range, others));
  return out;
}

SongImages draw_images_before_removal(const fs::path& session_dir, const std::vector<fs::path>& wavs) {
  SessionData session;
  session.dir = session_dir;
  for (const auto& wav : wavs) {
    SongEntry song;
    song.number = song_number_of(wav);
    if (song.number < 0) continue;
    song.wav = (fs::path(conversation::kSongsDir) / wav.filename()).generic_string();
    session.songs.push_back(std::move(song));
  }
  return draw_song_images(session, session_dir / conversation::kReportDir, false);
}

}  // namespace mh::report
