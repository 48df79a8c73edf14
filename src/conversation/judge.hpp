#pragma once
/// The yardstick of a conversation, one per agent: a frozen copy of the agent's ML1 as it was
/// before the first dream, the held-out human reference H embedded by it, and a fixed 2-D map
/// (PCA of H's embeddings). A yardstick that retrained with the agent would hide its drift.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/conv_vae.hpp"

namespace mh::agent {
class Agent;
}

namespace mh::conversation {

class Judge {
 public:
  /// Freezes the agent's current ML1 and draws H: up to `reference_snippets` items of its
  /// held-out human songs (reference and validation splits, never trained on; training songs
  /// when it has none), seeded. Throws
  /// DatasetError when the agent has no human item, CheckpointError when it has no ML1.
  static Judge create(const agent::Agent& agent, int reference_snippets, std::uint64_t seed);
  /// `ml1_bytes` and `meta` as from ml1_bytes() and meta(); H is read again from the agent's
  /// append-only dataset. Throws CheckpointError / DatasetError.
  static Judge restore(const agent::Agent& agent, const std::string& ml1_bytes, const nlohmann::json& meta,
                       const std::string& name);

  const std::string& ml1_bytes() const { return ml1_bytes_; }
  /// reference item ids, the reconstruction error e0 and the map's projection.
  nlohmann::json meta() const;

  /// normalised mel [n, n_mels, frames] → frozen ML1 means [n, D] float64 on the CPU.
  torch::Tensor embed(const torch::Tensor& mel) const;
  /// embeddings [n, D] → map positions [n, 2].
  torch::Tensor project(const torch::Tensor& embeddings) const;
  /// embeddings [n, D] → their coordinates on H's first drift_dimensions() principal axes
  /// [n, k]: a fixed projection in which H's covariance has full rank.
  torch::Tensor drift_project(const torch::Tensor& embeddings) const;
  int64_t drift_dimensions() const { return drift_axes_.size(1); }

  const torch::Tensor& reference_mel() const { return reference_mel_; }        ///< [n, n_mels, frames]
  const torch::Tensor& reference_embedding() const { return reference_emb_; }  ///< [n, D] float64
  double reference_error0() const { return error0_; }                          ///< e0, see forgetting
  const std::vector<double>& explained_variance() const { return explained_; }

 private:
  Judge() = default;
  void fit_map();
  void fit_drift_axes();
  std::string ml1_bytes_;
  mutable model::ConvVae ml1_{nullptr};
  std::vector<int64_t> reference_items_;
  torch::Tensor reference_mel_, reference_emb_;
  torch::Tensor map_mean_, map_axes_;  ///< [D], [D, 2] float64
  torch::Tensor drift_axes_;           ///< [D, k] float64, H's first k principal axes
  std::vector<double> explained_;
  double error0_ = 0;
};

/// The dimension of the drift measures for a reference of `reference_size` snippets in a latent
/// of `latent_dim`: a fifth of the reference, between 2 and 8, and at most latent_dim.
int64_t drift_dimensions(int64_t reference_size, int64_t latent_dim);

/// Mean squared error of decode(encode_mu(mel)) against mel, in normalised units, with `model`
/// in eval mode; batches of 32.
double reconstruction_error(model::ConvVae& model, const torch::Tensor& mel, torch::Device device);

}  // namespace mh::conversation
