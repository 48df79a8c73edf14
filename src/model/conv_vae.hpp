#pragma once
/// ML1: the convolutional variational autoencoder over normalised log-mel snippets.
///
/// Encoder: per layer Conv2d (TF 'same') → ReLU → BatchNorm; flatten; dense mu and log_var.
/// Decoder: dense → reshape → per layer (reversed, without the first) ConvTranspose2d (TF
/// 'same') → ReLU → BatchNorm; a last ConvTranspose2d to one channel with the first layer's
/// kernel and stride; sigmoid. BatchNorm follows Keras: eps 1e-3, moving average 0.99 (torch
/// momentum 0.01). Weights Glorot-uniform from `init_seed`, biases zero.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/same_conv.hpp"

namespace mh::model {

/// Architecture of a ConvVae. Plain fields; the presets fill them.
struct ConvVaeOptions {
  int64_t n_mels = 128;                 ///< input height (mel bands)
  int64_t frames = 128;                 ///< input width (STFT frames)
  std::vector<int64_t> filters;         ///< encoder channels per layer
  std::vector<Pair> kernels;            ///< per layer (height, width); kernel ≥ stride
  std::vector<Pair> strides;            ///< per layer (height, width)
  int64_t latent_dim = 128;
  /// 0: the latent is one dense code of the whole bottleneck (seed, fast). T > 0: a temporal
  /// code of T frames × latent_dim / T numbers, each frame read from (and decoded back into) its
  /// own column of the bottleneck by one linear map shared across frames, so the code keeps time
  /// order and the same weights learn every moment of a snippet. The bottleneck must be T wide.
  int64_t latent_frames = 0;
  uint64_t init_seed = 0;               ///< seeds the Glorot initialisation
  ConvTransposeMode conv_transpose = ConvTransposeMode::kAuto;

  /// The original model (Keras, "alla Valerio"): filters 512, 256, 128, 64, 32, 3×3 kernels,
  /// strides 2, 2, 2, 2, (2, 1).
  static ConvVaeOptions seed(int64_t n_mels = 128, int64_t frames = 128);
  /// The default for new agents: over 10× fewer multiply-adds than `seed` (thin high-resolution
  /// layers, channels grow as resolution falls).
  static ConvVaeOptions fast(int64_t n_mels = 128, int64_t frames = 128);
  /// The default for new agents: a temporal latent of 16 frames (docs/ml1_quality.md), wider
  /// channels, the mel axis folded into channels by the bottleneck. Fewer latent frames (8, 4, 2,
  /// 1) where 16 does not divide latent_dim or frames; falls back to `fast` when frames / latent
  /// frames cannot be spread over its layers' time strides.
  static ConvVaeOptions notes(int64_t n_mels = 128, int64_t frames = 128, int64_t latent_dim = 128);
  /// "seed", "fast" or "notes" (whose layout depends on latent_dim); throws SettingsError for
  /// another name. The result has latent_dim set.
  static ConvVaeOptions preset(const std::string& name, int64_t n_mels, int64_t frames, int64_t latent_dim = 128);

  /// Throws SettingsError naming the field when sizes are inconsistent or out of range.
  void validate() const;
  /// [channels, height, width] of the encoder's last feature map.
  std::array<int64_t, 3> bottleneck_shape() const;

  nlohmann::json to_json() const;
  /// Throws SettingsError when a field is missing or of the wrong type.
  static ConvVaeOptions from_json(const nlohmann::json& j);
  bool operator==(const ConvVaeOptions& other) const;
};

/// Multiply-adds of one forward pass for one snippet: convolutions count output pixels ×
/// Cin × Cout × kh × kw, transposed convolutions input pixels × Cin × Cout × kh × kw (the work
/// that is actually done, not the zero-inserted equivalent), dense layers in × out.
int64_t multiply_adds(const ConvVaeOptions& options);

/// Result of ConvVae::forward. reconstruction [N, 1, n_mels, frames] in (0, 1); mu and
/// log_var [N, latent_dim].
struct VaeOutput {
  torch::Tensor reconstruction, mu, log_var;
};

class ConvVaeImpl : public torch::nn::Module {
 public:
  /// Throws SettingsError if `options` is invalid.
  explicit ConvVaeImpl(ConvVaeOptions options);

  /// x [N, 1, n_mels, frames] → VaeOutput. Training mode samples z with `generator` (or the
  /// model's own one, seeded with init_seed + 1); eval mode decodes mu (deterministic).
  /// Throws ShapeError for another input shape.
  VaeOutput forward(const torch::Tensor& x);
  VaeOutput forward(const torch::Tensor& x, torch::Generator& generator);

  /// x [N, 1, n_mels, frames] → mu [N, latent_dim] (deterministic).
  torch::Tensor encode(const torch::Tensor& x);
  /// x → (mu, log_var), each [N, latent_dim].
  std::pair<torch::Tensor, torch::Tensor> encode_distribution(const torch::Tensor& x);
  /// z [N, latent_dim] → [N, 1, n_mels, frames]. Throws ShapeError.
  torch::Tensor decode(const torch::Tensor& z);

  /// mu + exp(log_var / 2) · eps with eps ~ N(0, 1) drawn independently for every element.
  /// The noise is drawn on the generator's device and moved to mu's device, so a CPU generator
  /// gives the same samples on every device.
  static torch::Tensor sample_latent(const torch::Tensor& mu, const torch::Tensor& log_var,
                                     torch::Generator& generator);

  const ConvVaeOptions& options() const { return options_; }
  /// Trainable parameters plus BatchNorm running mean/var (Keras' "total params").
  int64_t parameter_count() const;
  /// Selects the transposed-convolution implementation of every decoder layer.
  void set_conv_transpose_mode(ConvTransposeMode mode);
  /// Runs the convolutions on channels-last (NHWC) activations; results are the same up to
  /// float rounding. Off by default: with this LibTorch build it made training no faster
  /// (docs/figures.md).
  void set_channels_last(bool on) { channels_last_ = on; }
  bool channels_last() const { return channels_last_; }
  /// Runs every layer in the mirrored frame (same_conv.hpp: no padded or cropped copies of the
  /// activations) when all layers allow it for the input size; on by default, and off gives the
  /// same results to float rounding. Returns whether the mirrored frame is in use.
  bool set_mirrored(bool on);
  bool mirrored() const { return mirrored_; }
  /// The generator used by forward(x) without one.
  torch::Generator& generator() { return generator_; }

  torch::nn::ModuleList encoder_convs{nullptr}, encoder_norms{nullptr};
  torch::nn::Linear mu{nullptr}, log_var{nullptr}, decoder_dense{nullptr};
  torch::nn::ModuleList decoder_convs{nullptr}, decoder_norms{nullptr};
  SameConvTranspose2d output_conv{nullptr};

 private:
  void initialise();
  void check_input(const torch::Tensor& x) const;
  bool layers_mirrorable();
  torch::Tensor to_activation_format(const torch::Tensor& t) const;
  ConvVaeOptions options_;
  torch::Generator generator_;
  bool channels_last_ = false;
  bool mirrorable_ = false;  // every layer allows the mirrored frame for options_' input size
  bool mirrored_ = false;
};
TORCH_MODULE(ConvVae);

}  // namespace mh::model
