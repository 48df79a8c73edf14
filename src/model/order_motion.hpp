#pragma once
/// How song orders move through ML1's latent space: the figures that tell a song that travels
/// from a drone that stands still, and a composed song from a learned one copied out
/// (docs/ml2_composing.md). Pure functions on orders [T_i, D] (any device, computed in float64
/// on the CPU); distances are in ML1 latent units.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mh::model {

/// Motion of a set of orders. NaN where a figure has nothing to average.
struct OrderMotion {
  int64_t songs = 0;
  double step = 0;     ///< mean over songs (≥ 2 steps) of the mean L2 between consecutive steps
  double spread = 0;   ///< mean over songs of the mean over coordinates of the std over time
  double variety = 0;  ///< mean over song pairs of the L2 between their mean steps (≥ 2 songs)

  nlohmann::json to_json() const;
};

/// Throws ShapeError for orders that are not [T ≥ 1, D] with one D.
OrderMotion order_motion(const std::vector<torch::Tensor>& orders);

/// How close `order` comes to being copied out of `references`: for each window of
/// min(window, T) consecutive steps, the smallest RMS over the window of the step-wise L2 to an
/// aligned window of any reference at any offset; the mean over the order's windows. 0 for an
/// exact copy of a stretch of a reference. References shorter than the window are skipped; NaN
/// when none is left. Throws ShapeError, SettingsError for window < 1.
double nearest_window_distance(const torch::Tensor& order, const std::vector<torch::Tensor>& references,
                               int64_t window);

/// Machine songs against human songs. Ratios are machine / human; a motion ratio near 1 moves
/// like the human songs, a nearest ratio near 0 means copies.
struct MotionComparison {
  OrderMotion human, machine;
  /// Mean nearest_window_distance to the training orders: of the machine songs, and of each human
  /// song to the training orders other than itself.
  double human_nearest = 0, machine_nearest = 0;
  /// The smallest nearest_window_distance between two songs of the set (how alike its closest
  /// pair is); NaN for fewer than two.
  double human_closest_pair = 0, machine_closest_pair = 0;
  int64_t window = 0;

  /// {"human": {...}, "machine": {...}, "ratio": {"step", "spread", "variety", "nearest",
  /// "closest_pair"}, "window": w}, NaN as null.
  nlohmann::json to_json() const;
};

/// `human` are learned songs that also appear in `training` (compared exactly, so each is left
/// out of its own reference set). Throws ShapeError, SettingsError for window < 1.
MotionComparison compare_motion(const std::vector<torch::Tensor>& human, const std::vector<torch::Tensor>& machine,
                                const std::vector<torch::Tensor>& training, int64_t window = 8);

}  // namespace mh::model
