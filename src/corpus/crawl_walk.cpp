// The crawl's settings and its seeded walk: pure, no file access.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "core/seed_mix.hpp"
#include "core/settings_fields.hpp"
#include "core/shape.hpp"
#include "corpus/crawl.hpp"

namespace mh::corpus {

const std::vector<Field<CrawlSettings>>& crawl_fields() {
  using S = CrawlSettings;
  static const FieldTable<S> table = {
      {"songs", "stop after this many songs, the start included", &S::songs, 1, 1000000},
      {"minutes", "also stop once the chosen songs last this long (0: no limit)", &S::minutes, 0, 1000000},
      {"neighbours", "each next song is drawn among this many nearest not yet taken", &S::neighbours, 1, 1000},
      {"seed", "the same seed gives the same chain", &S::seed},
      {"head_seconds", "seconds from each song's start that its features are made of", &S::head_seconds, 1, 3600},
      {"copy", "copy the chosen files instead of linking to them", &S::copy},
      {"colour_weight", "how much more the colour counts in the distance than the notes or the pulse", &S::colour_weight, 0, 100},
  };
  return table;
}

void CrawlSettings::validate() const { validate_fields(crawl_fields(), *this, "crawl."); }

Walk walk_library(const torch::Tensor& points, const std::vector<double>& durations_s, int64_t start,
                  const CrawlSettings& settings) {
  settings.validate();
  if (points.dim() != 2 || points.size(0) != static_cast<int64_t>(durations_s.size())) {
    throw ShapeError(fmt::format("walk_library: points have shape {}, expected [{}, dims]",
                                 shape_string(points.sizes()), durations_s.size()));
  }
  const int64_t n = points.size(0);
  if (start < 0 || start >= n) {
    throw SettingsError(fmt::format("crawl start = {} is out of range: allowed [0, {}]", start, n - 1));
  }
  const auto p = points.to(torch::kFloat64).contiguous();
  std::vector<bool> taken(static_cast<size_t>(n), false);
  Walk walk;
  walk.chosen.push_back(start);
  taken[static_cast<size_t>(start)] = true;
  walk.seconds = durations_s[static_cast<size_t>(start)];
  for (;;) {
    if (static_cast<int64_t>(walk.chosen.size()) >= settings.songs) {
      walk.stop = "songs";
      break;
    }
    if (settings.minutes > 0 && walk.seconds >= settings.minutes * 60) {
      walk.stop = "minutes";
      break;
    }
    const int64_t from = walk.chosen.back();
    const auto distance = (p - p[from]).pow(2).sum(1).sqrt().contiguous();
    const double* d = distance.data_ptr<double>();
    std::vector<int64_t> open;
    for (int64_t i = 0; i < n; ++i) {
      if (!taken[static_cast<size_t>(i)]) open.push_back(i);
    }
    if (open.empty()) {
      walk.stop = "library";
      break;
    }
    // Stable: equal distances keep the library's order, so the walk never depends on the sort.
    std::stable_sort(open.begin(), open.end(), [d](int64_t a, int64_t b) { return d[a] < d[b]; });
    WalkStep step;
    step.from = from;
    const auto k = std::min<size_t>(open.size(), static_cast<size_t>(settings.neighbours));
    step.candidates.assign(open.begin(), open.begin() + static_cast<std::ptrdiff_t>(k));
    for (const auto c : step.candidates) step.distances.push_back(d[c]);
    // One draw per step from its own stream: the chain depends on the seed and the step only.
    const auto draw = mix_seed(settings.seed, walk.steps.size() + 1) % k;
    step.choice = step.candidates[draw];
    taken[static_cast<size_t>(step.choice)] = true;
    walk.chosen.push_back(step.choice);
    walk.seconds += durations_s[static_cast<size_t>(step.choice)];
    walk.steps.push_back(std::move(step));
  }
  return walk;
}

}  // namespace mh::corpus
