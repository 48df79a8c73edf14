#include "dsp/listening.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/errors.hpp"
#include "core/json_checks.hpp"
#include "core/shape.hpp"

namespace mh::dsp {

namespace {

// RMS over (bands, frames) of h − s at the best shift of s within ±max_shift frames: [P].
torch::Tensor aligned_frame_distance(const torch::Tensor& h, const torch::Tensor& s, int64_t max_shift) {
  const int64_t frames = h.size(2);
  const int64_t shift_limit = std::min(max_shift, frames - 1);
  torch::Tensor best;
  for (int64_t shift = -shift_limit; shift <= shift_limit; ++shift) {
    const int64_t len = frames - std::abs(shift);
    const auto hh = h.narrow(2, std::max<int64_t>(shift, 0), len);
    const auto ss = s.narrow(2, std::max<int64_t>(-shift, 0), len);
    const auto d = (hh - ss).pow(2).mean({1, 2}).sqrt();
    best = best.defined() ? torch::minimum(best, d) : d;
  }
  return best;
}

torch::Tensor chunked_frame_distance(const torch::Tensor& heard, const torch::Tensor& sung, const torch::Tensor& hi,
                                     const torch::Tensor& si, int64_t max_shift) {
  constexpr int64_t kChunk = 64;  // pairs at a time: a pair of 128×128 snippets is 128 kB
  std::vector<torch::Tensor> parts;
  for (int64_t a = 0; a < hi.size(0); a += kChunk) {
    const int64_t len = std::min(kChunk, hi.size(0) - a);
    parts.push_back(aligned_frame_distance(heard.index_select(0, hi.narrow(0, a, len)),
                                           sung.index_select(0, si.narrow(0, a, len)), max_shift));
  }
  return parts.empty() ? torch::zeros({0}, torch::kFloat64) : torch::cat(parts);
}

double mean_of(const torch::Tensor& t) { return t.numel() ? t.mean().item<double>() : ListeningFigures::kNaN; }

}  // namespace

nlohmann::json ListeningFigures::to_json() const {
  return {{"snippets", snippets},         {"envelope_db", number_or_null(envelope_db)},
          {"frames_db", number_or_null(frames_db)},  {"long_term_db", number_or_null(long_term_db)},
          {"long_term_max_db", number_or_null(long_term_max_db)},
          {"envelope_ratio", number_or_null(envelope_ratio)}, {"frames_ratio", number_or_null(frames_ratio)}};
}

ListeningDistances listening_distances(const torch::Tensor& heard, const torch::Tensor& sung,
                                       const std::vector<int64_t>& groups, const ListeningOptions& options) {
  if (heard.dim() != 3 || heard.sizes() != sung.sizes() || static_cast<int64_t>(groups.size()) != heard.size(0)) {
    throw ShapeError(fmt::format("listening_distances: heard {}, sung {}, {} groups; expected the same [n, n_mels, frames] "
                                 "twice and n groups", shape_string(heard.sizes()), shape_string(sung.sizes()),
                                 groups.size()));
  }
  const int64_t n = heard.size(0);
  const auto h = heard.to(torch::kCPU, torch::kFloat64) * options.db_span;
  const auto s = sung.to(torch::kCPU, torch::kFloat64) * options.db_span;
  ListeningDistances d;
  d.heard_spectrum = h.mean(2);
  d.sung_spectrum = s.mean(2);
  const double bands = static_cast<double>(heard.size(1));
  // Every heard envelope against every sung one: [n, n].
  const auto env = torch::cdist(d.heard_spectrum.unsqueeze(0), d.sung_spectrum.unsqueeze(0)).squeeze(0) / std::sqrt(bands);
  d.envelope_own = env.diagonal().clone();
  const auto g = torch::tensor(groups, torch::kInt64);
  auto other = g.unsqueeze(1) != g.unsqueeze(0);
  const bool one_group = !other.any().item<bool>();
  if (one_group) other = torch::ones({n, n}, torch::kBool).logical_xor(torch::eye(n, torch::kBool));
  const auto other_count = other.sum(1).to(torch::kFloat64);
  d.envelope_other = (env * other).sum(1) / other_count;  // 0/0 = NaN for a lone snippet
  d.frames_own = chunked_frame_distance(h, s, torch::arange(n), torch::arange(n), options.max_shift);
  // Frames against a few other answers, spread evenly over each snippet's candidates.
  std::vector<int64_t> hi, si;
  std::vector<int64_t> pair_count(static_cast<size_t>(n), 0);
  const auto other_a = other.accessor<bool, 2>();
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> candidates;
    for (int64_t j = 0; j < n; ++j) {
      if (other_a[i][j]) candidates.push_back(j);
    }
    const int64_t take = std::min<int64_t>(options.others, static_cast<int64_t>(candidates.size()));
    for (int64_t k = 0; k < take; ++k) {
      hi.push_back(i);
      si.push_back(candidates[static_cast<size_t>(k * static_cast<int64_t>(candidates.size()) / take)]);
    }
    pair_count[static_cast<size_t>(i)] = take;
  }
  const auto hi_t = torch::tensor(hi, torch::kInt64), si_t = torch::tensor(si, torch::kInt64);
  const auto pair_d = chunked_frame_distance(h, s, hi_t, si_t, options.max_shift);
  d.frames_other = torch::zeros({n}, torch::kFloat64).index_add_(0, hi_t, pair_d) /
                   torch::tensor(pair_count, torch::kInt64).to(torch::kFloat64);
  return d;
}

ListeningFigures summarise(const ListeningDistances& d, const std::vector<int64_t>& subset) {
  const auto pick = [&](const torch::Tensor& t) {
    return subset.empty() ? t : t.index_select(0, torch::tensor(subset, torch::kInt64));
  };
  ListeningFigures f;
  const auto env_own = pick(d.envelope_own), frames_own = pick(d.frames_own);
  f.snippets = env_own.size(0);
  if (f.snippets == 0) return f;
  f.envelope_db = mean_of(env_own);
  f.frames_db = mean_of(frames_own);
  const auto band_difference = pick(d.heard_spectrum).mean(0) - pick(d.sung_spectrum).mean(0);
  f.long_term_db = band_difference.pow(2).mean().sqrt().item<double>();
  f.long_term_max_db = band_difference.abs().max().item<double>();
  f.envelope_ratio = mean_of(pick(d.envelope_other)) / f.envelope_db;
  f.frames_ratio = mean_of(pick(d.frames_other)) / f.frames_db;
  return f;
}

}  // namespace mh::dsp
