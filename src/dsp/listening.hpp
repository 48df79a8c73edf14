#pragma once
/// How closely what an agent sang follows what it heard. Both are normalised log-mel snippets
/// [n, n_mels, frames], paired by index; the front end maps [db_floor, db_ceiling] to [0, 1], so
/// a difference d stands for d · (db_ceiling − db_floor) dB.
///
/// Per heard snippet: the envelope distance (RMS over bands of the difference of the two
/// time-averaged spectra) and the frame distance (RMS over bands and frames, at the best shift
/// within ±max_shift frames, since the voice's trims and crossfades move the answer a little).
/// Each is also measured against other snippets' answers: the listening ratio, distance to other
/// answers over distance to the own answer, is about 1 when the answers ignore what was heard.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <limits>
#include <vector>

namespace mh::dsp {

struct ListeningOptions {
  double db_span = 200;     ///< db_ceiling − db_floor of the front end
  int64_t max_shift = 4;    ///< frames either way for the frame distance
  int64_t others = 8;       ///< other answers per snippet for the frame ratio (all of them for envelopes)
};

/// Per heard snippet, in dB. *_other are means over the other answers: those of other groups,
/// or of other snippets when all share one group (NaN for a lone snippet).
struct ListeningDistances {
  torch::Tensor envelope_own, envelope_other, frames_own, frames_other;  ///< [n] float64
  torch::Tensor heard_spectrum, sung_spectrum;  ///< [n, n_mels] time-averaged, dB, float64
};

struct ListeningFigures {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  int64_t snippets = 0;
  double envelope_db = kNaN;     ///< mean envelope distance to the own answer
  double frames_db = kNaN;       ///< mean aligned frame distance to the own answer
  double long_term_db = kNaN;    ///< RMS over bands of the difference of the long-term spectra
  double long_term_max_db = kNaN;  ///< the largest difference of one band's long-term mean
  double envelope_ratio = kNaN;  ///< mean distance to other answers / mean distance to own answer
  double frames_ratio = kNaN;
  nlohmann::json to_json() const;
};

/// groups[i] tags heard snippet i (e.g. with its file). Throws ShapeError when the shapes differ,
/// are not [n, n_mels, frames] or groups has not n entries.
ListeningDistances listening_distances(const torch::Tensor& heard, const torch::Tensor& sung,
                                       const std::vector<int64_t>& groups, const ListeningOptions& options = {});

/// The figures over the snippets `subset` (every snippet when empty).
ListeningFigures summarise(const ListeningDistances& d, const std::vector<int64_t>& subset = {});

}  // namespace mh::dsp
