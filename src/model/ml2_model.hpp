#pragma once
/// ML2 behind one interface: the preset chosen by Ml2Settings (autoregressive model, sequence
/// VAE or dense autoencoder), the ML1 version its orders came from, and the operations callers
/// need. All
/// orders are in ML1 latent space ([T, D]); results are on the model's device. Inference runs
/// without gradients and is the same in train and eval mode.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "model/ml2_order_model.hpp"
#include "model/ml2_settings.hpp"

namespace mh::model {

/// The preset's model for orders of `input_dim` coordinates, initialised from settings.seed,
/// on the CPU. Throws SettingsError.
std::shared_ptr<OrderModelImpl> make_order_model(const Ml2Settings& settings, int64_t input_dim);

class Ml2 {
 public:
  /// A fresh, untrained model on `device`. Throws SettingsError.
  Ml2(Ml2Settings settings, int64_t input_dim, torch::Device device);
  /// Wraps an existing model (e.g. from a checkpoint). Throws SettingsError when the model is
  /// not the settings' preset.
  Ml2(Ml2Settings settings, std::shared_ptr<OrderModelImpl> net, std::string ml1_version);

  /// orders → mu [N, latent]. Throws ShapeError, CheckpointError (untrained: no statistics),
  /// SettingsError for a preset without a song latent (autoregressive).
  torch::Tensor encode(const std::vector<torch::Tensor>& orders) { return net_->encode_orders(orders); }
  /// See OrderModelImpl::reconstruct.
  std::vector<torch::Tensor> reconstruct(const std::vector<torch::Tensor>& orders) { return net_->reconstruct(orders); }
  /// n new orders (see OrderModelImpl::sample). Same generator state ⇒ same orders.
  std::vector<torch::Tensor> sample(int n, torch::Generator& generator, int min_length, int max_length) {
    return net_->sample(n, generator, min_length, max_length);
  }
  /// See OrderModelImpl::interpolate (the autoregressive preset blends the orders themselves).
  std::vector<torch::Tensor> interpolate(const torch::Tensor& a, const torch::Tensor& b, int steps) {
    return net_->interpolate(a, b, steps);
  }

  OrderModelImpl& net() { return *net_; }
  const OrderModelImpl& net() const { return *net_; }
  const std::shared_ptr<OrderModelImpl>& net_ptr() const { return net_; }
  const Ml2Settings& settings() const { return settings_; }
  /// Changes the epoch target. Throws SettingsError.
  void set_epochs(int epochs);
  /// Changes the learning rate and songs per batch kept in the settings (the trainer applies
  /// them). Throws SettingsError.
  void set_learning_rate(double learning_rate);
  void set_batch_size(int batch_size);
  /// The ML1 version of the orders it was trained on ("" before training).
  const std::string& ml1_version() const { return ml1_version_; }
  void set_ml1_version(std::string version) { ml1_version_ = std::move(version); }
  torch::Device device() const { return net_->device(); }

 private:
  Ml2Settings settings_;
  std::shared_ptr<OrderModelImpl> net_;
  std::string ml1_version_;
};

}  // namespace mh::model
