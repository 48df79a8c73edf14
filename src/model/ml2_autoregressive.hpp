#pragma once
/// ML2's "autoregressive" preset: a GRU over the song order that predicts the next normalised
/// ML1 latent as a mixture of diagonal Gaussians, sampled step by step to compose.
///
/// Input at step t: [the previous frame, 0] or, at a song's first step, the start token [0, 1].
/// A GRU (hidden wide) → a dense head giving K component logits, K means and K log-stds over
/// the D coordinates. Trained teacher-forced on windows of the orders (ml2_next_step.hpp);
/// composing draws a component from softmax(logits / τ), then its mean + τ · σ · ε, and feeds
/// the draw back. A learned spread, not a mean to regress to, is what keeps composed songs
/// moving (docs/ml2_composing.md).
///
/// There is no song latent: encode and decode throw SettingsError. reconstruct() gives the
/// teacher-forced predictions (the mixture's mean at every step given the true past);
/// interpolate() blends the two orders themselves, time-warped to a common length.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

#include "model/ml2_order_model.hpp"

namespace mh::model {

struct AutoregressiveOptions {
  static constexpr const char* kPreset = "autoregressive";
  static constexpr bool kVariational = false;

  int64_t input_dim = 128;   ///< D of the orders (ML1's latent size)
  int64_t hidden = 256;      ///< GRU width
  int64_t latent_dim = 32;   ///< size of the base's latent-prior buffers; no song latent uses it
  int64_t max_length = 512;  ///< longest order sample() makes in one piece
  int64_t mixtures = 4;      ///< K
  double temperature = 1.0;  ///< τ of sample()
  uint64_t init_seed = 0;

  /// Throws SettingsError naming the field.
  void validate() const;
  nlohmann::json to_json() const;
};

/// The next-step distribution at every step of a batch [B, T].
struct NextStepMixture {
  torch::Tensor logits;   ///< [B, T, K] component logits
  torch::Tensor mean;     ///< [B, T, K, D] normalised
  torch::Tensor log_std;  ///< [B, T, K, D], clamped to [kMinLogStd, kMaxLogStd]

  /// Σ_k softmax(logits)_k · mean_k: [B, T, D].
  torch::Tensor expected() const;
};

class AutoregressiveImpl : public OrderModelOf<AutoregressiveOptions> {
 public:
  static constexpr double kMinLogStd = -7.0, kMaxLogStd = 3.0;

  /// Throws SettingsError for invalid options.
  explicit AutoregressiveImpl(AutoregressiveOptions options);

  bool has_song_latent() const override { return false; }
  int64_t longest_song() const override { return max_length(); }
  /// Throw SettingsError: this preset has no song latent.
  std::pair<torch::Tensor, torch::Tensor> encode_distribution(const OrderBatch& batch) override;
  OrderDecoding decode(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) override;

  /// previous [B, T, D] normalised frames fed at each step, `starts` [B] bool (true: row 0 of
  /// that song is replaced by the start token, i.e. the window begins at the song's start),
  /// optional GRU state h0 [1, B, hidden] (undefined: zeros) → the next-step mixture at every
  /// step, and the final state in *h_n when given. Throws ShapeError.
  NextStepMixture predict(const torch::Tensor& previous, const torch::Tensor& starts,
                          const torch::Tensor& h0 = {}, torch::Tensor* h_n = nullptr);

  /// Orders of the given lengths (each ≥ 1, at most max_length), each from the start token, in
  /// ML1 space on this model's device. Draws come from `generator` (on its device, CPU for the
  /// trainers' and composers' generators). Throws SettingsError for a bad length or τ ≤ 0.
  std::vector<torch::Tensor> generate(const std::vector<int64_t>& lengths, torch::Generator& generator,
                                      double temperature);

  /// n songs from the start token with options().temperature, of lengths uniform in
  /// OrderModelImpl::sample_range (a request beyond the trained range is kept as asked).
  std::vector<torch::Tensor> sample(int64_t n, torch::Generator& generator, int64_t min_length,
                                    int64_t max_length) override;
  /// Teacher-forced predictions: each step's mixture mean given the true orders before it, in
  /// ML1 space, as long as the orders.
  std::vector<torch::Tensor> reconstruct(const std::vector<torch::Tensor>& orders) override;
  /// `steps` ≥ 2 orders: the i-th (α = i / (steps − 1)) is (1 − α) · a + α · b, both resampled
  /// linearly in time to round((1 − α) · T_a + α · T_b) steps, so the ends are a and b
  /// themselves. Throws SettingsError, ShapeError.
  std::vector<torch::Tensor> interpolate(const torch::Tensor& order_a, const torch::Tensor& order_b,
                                         int64_t steps) override;

  /// The sampling temperature from now on (> 0). Throws SettingsError.
  void set_temperature(double temperature);

  torch::nn::GRU gru{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Autoregressive);

/// order [T, D] resampled linearly in time to `steps` ≥ 1 rows (ends kept). Throws ShapeError.
torch::Tensor resample_order(const torch::Tensor& order, int64_t steps);

}  // namespace mh::model
