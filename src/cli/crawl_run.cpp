#include "cli/crawl_run.hpp"

#include <fmt/format.h>

#include "cli/progress_line.hpp"

namespace mh::cli {
namespace fs = std::filesystem;

corpus::CrawlResult run_crawl(const fs::path& library, const fs::path& start, const fs::path& out,
                              const corpus::CrawlSettings& settings) {
  ProgressLine reading("crawl: listening to the library", "songs/s");
  const auto r = corpus::crawl(library, start, out, settings, [&](const fs::path&, std::size_t done, std::size_t total) {
    reading.update(ProgressLine::kNoEpoch, static_cast<int64_t>(done), static_cast<int64_t>(total));
  });
  reading.finish();
  for (const auto& k : r.skipped) fmt::print("skipped: {}\n", k.reason);
  const auto name = [&](int64_t i) { return r.songs[static_cast<size_t>(i)].lexically_relative(library).string(); };
  fmt::print("crawl from {} (the human's only choice):\n", name(r.walk.chosen.front()));
  for (size_t i = 0; i < r.walk.steps.size(); ++i) {
    const auto& s = r.walk.steps[i];
    size_t at = 0;
    while (s.candidates[at] != s.choice) ++at;
    fmt::print("  {:>3}. {}  (distance {:.3f}, {} of the {} nearest)\n", i + 1, name(s.choice), s.distances[at], at + 1,
               s.candidates.size());
  }
  const char* why = r.walk.stop == "songs" ? "song count reached" : r.walk.stop == "minutes" ? "minutes reached"
                                                                                             : "every song taken";
  fmt::print("crawl: {} songs, {:.1f} min ({}), {} of {} files skipped; {} in {}\n", r.walk.chosen.size(),
             r.walk.seconds / 60, why, r.skipped.size(), r.songs.size() + r.skipped.size(),
             settings.copy ? "copies" : "links", out.string());
  return r;
}

}  // namespace mh::cli
