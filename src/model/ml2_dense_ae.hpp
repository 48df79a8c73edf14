#pragma once
/// ML2's "dense" preset: the original dense autoencoder over zero-padded flattened orders,
/// corrected so that it can be compared with the sequence VAE on the same data.
///
/// Input: the normalised order zero padded to max_length steps and flattened, followed by its
/// step mask (max_length · (D + 1) values), so the encoder knows where the song ends. Encoder
/// dense 128 → ReLU → dense 64 → ReLU → dense latent; decoder dense 64 → ReLU → dense 128 →
/// ReLU → dense max_length · (D + 1): every step's frame and stop logit (linear outputs, as the
/// data are standardised). Not variational: sample() draws from the training latents' spread,
/// which the trainer stores with set_latent_prior.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

#include "model/ml2_order_model.hpp"

namespace mh::model {

struct DenseOrderAeOptions {
  static constexpr const char* kPreset = "dense";
  static constexpr bool kVariational = false;

  int64_t input_dim = 128;
  int64_t max_length = 512;
  int64_t latent_dim = 2;                  ///< the original's last version
  std::vector<int64_t> hidden = {128, 64};  ///< encoder widths; the decoder mirrors them
  uint64_t init_seed = 0;

  /// Throws SettingsError naming the field.
  void validate() const;
  nlohmann::json to_json() const;
};

class DenseOrderAeImpl : public OrderModelOf<DenseOrderAeOptions> {
 public:
  /// Throws SettingsError for invalid options.
  explicit DenseOrderAeImpl(DenseOrderAeOptions options);

  std::pair<torch::Tensor, torch::Tensor> encode_distribution(const OrderBatch& batch) override;
  OrderDecoding decode(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) override;

  torch::nn::Sequential encoder{nullptr}, decoder{nullptr};
};
TORCH_MODULE(DenseOrderAe);

}  // namespace mh::model
