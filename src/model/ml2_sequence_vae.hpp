#pragma once
/// ML2's default model: a variational autoencoder over variable-length song orders.
///
/// Encoder: a bidirectional GRU over the packed (unpadded) order; the two final hidden states
/// → dense mu and log_var of one song latent.
/// Decoder (non-autoregressive): a GRU whose initial state is tanh(dense(z)) and whose input at
/// step t is [z, sin/cos features of t]; per step a dense head gives the normalised ML1 latent
/// and another the logit of "the song ends here". Both GRUs run on packed sequences, so padding
/// never enters a computation: appending padding leaves encodings and losses bit-identical.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/ml2_order_model.hpp"

namespace mh::model {

struct SequenceVaeOptions {
  static constexpr const char* kPreset = "sequence";
  static constexpr bool kVariational = true;

  int64_t input_dim = 128;     ///< D of the orders (ML1's latent size)
  int64_t hidden = 256;        ///< width of both GRUs (per direction in the encoder)
  int64_t latent_dim = 32;     ///< song latent
  int64_t max_length = 512;    ///< longest order and decoding horizon, in steps
  int64_t time_features = 16;  ///< even count of sin/cos position features fed to the decoder
  uint64_t init_seed = 0;

  /// Throws SettingsError naming the field.
  void validate() const;
  nlohmann::json to_json() const;
};

/// Position features [steps, time_features]: sin and cos of t · max_length^(−k / (F/2)), k < F/2,
/// on `device`.
torch::Tensor time_features(int64_t steps, int64_t features, int64_t max_length, torch::Device device);

class SequenceVaeImpl : public OrderModelOf<SequenceVaeOptions> {
 public:
  /// Throws SettingsError for invalid options.
  explicit SequenceVaeImpl(SequenceVaeOptions options);

  std::pair<torch::Tensor, torch::Tensor> encode_distribution(const OrderBatch& batch) override;
  OrderDecoding decode(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) override;

  torch::nn::GRU encoder{nullptr}, decoder{nullptr};
  torch::nn::Linear mu{nullptr}, log_var{nullptr}, decoder_init{nullptr}, frame_head{nullptr}, stop_head{nullptr};
};
TORCH_MODULE(SequenceVae);

}  // namespace mh::model
