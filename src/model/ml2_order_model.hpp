#pragma once
/// The common base of ML2's song-order models. The sequence VAE and the dense autoencoder have
/// a song latent from an encoder and a decoder that returns every step's frame (normalised ML1
/// latent) and stop logit; the base builds reconstruction, sampling, interpolation and length
/// decoding on those two. The autoregressive model has no song latent and overrides those
/// operations. The order statistics and the latent prior are stored as buffers (they travel
/// with the weights in checkpoints and to devices).
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "model/song_order.hpp"

namespace mh::model {

/// Decoder output for N latents over `steps` steps.
struct OrderDecoding {
  torch::Tensor frames;       ///< [N, steps, D] normalised
  torch::Tensor stop_logits;  ///< [N, steps]: logit of "the song ends at this step, given it reached it"
};

/// Result of OrderModelImpl::forward for a batch [B, T_max, D].
struct Ml2Output {
  torch::Tensor frames;       ///< [B, T_max, D] normalised reconstruction (meaningful where mask is true)
  torch::Tensor stop_logits;  ///< [B, T_max]
  torch::Tensor mu;           ///< [B, latent]
  torch::Tensor log_var;      ///< [B, latent]; undefined for a plain autoencoder
};

/// Median of the length distribution the per-step stop probabilities imply (P(L = t + 1) =
/// p_t · Π_{s<t}(1 − p_s)): stop_logits [N, S] → [N] int64 in [1, S], on the CPU. S when the
/// distribution puts less than half its mass within S steps.
torch::Tensor lengths_from_stop_logits(const torch::Tensor& stop_logits);

class OrderModelImpl : public torch::nn::Module {
 public:
  /// Throws SettingsError for sizes below 1.
  OrderModelImpl(int64_t input_dim, int64_t latent_dim, int64_t max_length);
  ~OrderModelImpl() override = default;

  virtual std::string preset() const = 0;
  /// True when encode_distribution returns a log-variance (a VAE), false for an autoencoder.
  virtual bool variational() const = 0;
  /// False for a model without a song latent (encode and decode then throw SettingsError).
  virtual bool has_song_latent() const { return true; }
  /// The longest order sample() composes well in one piece: the longest training order for a
  /// decoder of whole songs; longer songs are made of several pieces by the caller.
  virtual int64_t longest_song() const { return stats().max_length; }
  /// batch [B, T ≤ max_length, D] → (mu, log_var), each [B, latent] (log_var undefined when
  /// not variational). Padding never changes the result. Throws ShapeError.
  virtual std::pair<torch::Tensor, torch::Tensor> encode_distribution(const OrderBatch& batch) = 0;
  /// z [N, latent] → steps ≤ max_length steps. `lengths` [N] int64 on the CPU: steps at or after
  /// a song's length may be skipped (then zero). Throws ShapeError.
  virtual OrderDecoding decode(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) = 0;

  /// Encodes and decodes `batch` (with its true lengths). With a generator and a variational
  /// model z = mu + exp(log_var / 2) · eps, eps ~ N(0, 1) per element from `generator`; otherwise
  /// z = mu (deterministic). Throws ShapeError.
  Ml2Output forward(const OrderBatch& batch, torch::Generator* generator = nullptr);
  /// batch → mu [B, latent]. Throws ShapeError.
  torch::Tensor encode(const OrderBatch& batch);

  /// Orders in ML1 space (each [T_i, D]) → a normalised batch on this model's device, padded to
  /// pad_to steps when larger than the longest. Throws ShapeError (also for T_i > max_length),
  /// CheckpointError when no statistics are set.
  OrderBatch make_batch(const std::vector<torch::Tensor>& orders, int64_t pad_to = 0) const;
  /// Orders → mu [N, latent] (no gradient).
  torch::Tensor encode_orders(const std::vector<torch::Tensor>& orders);
  /// Each order through its latent mu and back, with the decoded length (within the trained
  /// range), denormalised to ML1 space on this model's device.
  virtual std::vector<torch::Tensor> reconstruct(const std::vector<torch::Tensor>& orders);
  /// Latents z [N, latent] → N orders in ML1 space on this model's device, of decoded length
  /// clamped to [min_length, max_length]. Throws SettingsError for a bad range, ShapeError.
  std::vector<torch::Tensor> decode_orders(const torch::Tensor& z, int64_t min_length, int64_t max_length);
  /// n new songs: z = latent_mean + latent_std · eps, eps ~ N(0, 1) per element from `generator`
  /// (drawn on its device). Lengths are decoded and clamped to the intersection of
  /// [min_length, max_length] with the trained range, or to [min_length, max_length] alone when
  /// they do not meet. Throws SettingsError unless 1 ≤ min_length ≤ max_length ≤ this->max_length.
  virtual std::vector<torch::Tensor> sample(int64_t n, torch::Generator& generator, int64_t min_length,
                                            int64_t max_length);
  /// `steps` ≥ 2 orders decoded from latents evenly spaced from mu(a) to mu(b), endpoints
  /// included. Throws SettingsError, ShapeError.
  virtual std::vector<torch::Tensor> interpolate(const torch::Tensor& order_a, const torch::Tensor& order_b,
                                                 int64_t steps);

  /// Stores statistics (and the trained length range) for normalising. Throws ShapeError.
  void set_stats(const OrderStats& stats);
  bool has_stats() const;
  /// A copy on the CPU. Throws CheckpointError when none were set.
  OrderStats stats() const;
  /// Distribution sample() draws latents from (N(0, 1) until set): the trainer sets it to its
  /// training songs' per-coordinate latent mean and std. Tensors [latent]. Throws ShapeError.
  void set_latent_prior(const torch::Tensor& mean, const torch::Tensor& std);
  torch::Tensor latent_mean() const { return latent_mean_; }
  torch::Tensor latent_std() const { return latent_std_; }

  int64_t input_dim() const { return input_dim_; }
  int64_t latent_dim() const { return latent_dim_; }
  int64_t max_length() const { return max_length_; }
  torch::Device device() const { return stats_mean_.device(); }
  /// Trainable parameters.
  int64_t parameter_count() const;

 protected:
  /// Throws ShapeError unless batch is [B, 1..max_length, input_dim] with a matching mask and lengths.
  void check_batch(const OrderBatch& batch) const;
  void check_latent(const torch::Tensor& z) const;
  /// decode()'s arguments: check_latent, and [N] lengths for 1 ≤ steps ≤ max_length.
  void check_decoding(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) const;
  /// Re-initialises every parameter from `seed` (Glorot-uniform dense weights, zero dense
  /// biases, GRU weights and biases uniform in ±1/√hidden), independent of the global generator.
  void initialise(uint64_t seed);
  /// sample()'s length range: [min_length, max_length] met with the trained range, or alone when
  /// they do not meet. Throws SettingsError unless 1 ≤ n, 1 ≤ min_length ≤ max_length ≤
  /// this->max_length.
  std::pair<int64_t, int64_t> sample_range(int64_t n, int64_t min_length, int64_t max_length) const;

 private:
  int64_t input_dim_, latent_dim_, max_length_;
  torch::Tensor stats_mean_, stats_std_, length_range_, latent_mean_, latent_std_;
};

/// An order model built from its `Options` (input_dim, latent_dim, max_length, validate(), and
/// the preset's kPreset and kVariational), which it keeps.
template <class Options>
class OrderModelOf : public OrderModelImpl {
 public:
  /// Throws SettingsError for invalid options.
  explicit OrderModelOf(Options options)
      : OrderModelImpl(options.input_dim, options.latent_dim, options.max_length), options_(std::move(options)) {
    options_.validate();
  }

  std::string preset() const override { return Options::kPreset; }
  bool variational() const override { return Options::kVariational; }
  const Options& options() const { return options_; }

 protected:
  Options options_;
};

}  // namespace mh::model
