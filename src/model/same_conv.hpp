#pragma once
/// Convolutions with Keras/TensorFlow 'same' padding, so the `seed` preset matches the original
/// model layer for layer: Conv2d pads so that out = ceil(in / stride) (the extra row/column at
/// the end when the total is odd), ConvTranspose2d gives out = in · stride (TensorFlow crops the
/// full transposed convolution starting at max(k - s, 0) / 2).
#include <torch/torch.h>

#include <array>

namespace mh::model {

using Pair = std::array<int64_t, 2>;

/// How a transposed convolution is computed. kConvGrad runs it as the input gradient of a
/// Conv2d (oneDNN on CPU; this LibTorch's CPU ConvTranspose2d is im2col + BLAS; into fewer than
/// 4 channels only the backward, where im2col + BLAS is the faster forward), kNative as torch's
/// conv_transpose2d, kAuto picks kConvGrad for CPU tensors and kNative otherwise.
enum class ConvTransposeMode { kAuto, kConvGrad, kNative };

/// TF 'same' padding (before, after) of one spatial axis.
Pair tf_same_pads(int64_t size, int64_t kernel, int64_t stride);

// Mirrored frame: activations with both spatial axes reversed. TensorFlow pads (and crops) the odd
// row and column at the end, which torch's symmetric padding cannot express without a padded copy
// of the input (or a cropped copy of the output); in the mirrored frame that extra row sits at the
// start, where symmetric padding puts it, so the same layer runs with the spatially flipped kernel
// and no copy. forward_mirrored(x.flip({2, 3})) equals forward(x).flip({2, 3}) to float rounding.

/// Conv2d(in_channels → out_channels) with TF 'same' padding. Parameters `weight`
/// [out, in, kh, kw] and `bias` [out]. forward: [N, in, H, W] → [N, out, ceil(H/sh), ceil(W/sw)].
class SameConv2dImpl : public torch::nn::Module {
 public:
  SameConv2dImpl(int64_t in_channels, int64_t out_channels, Pair kernel, Pair stride);
  torch::Tensor forward(const torch::Tensor& x);
  /// True when forward_mirrored works for an [.., H, W] input without a padded copy.
  bool mirrorable(int64_t h, int64_t w) const;
  /// forward in the mirrored frame (see above); x must be mirrorable.
  torch::Tensor forward_mirrored(const torch::Tensor& x);

  torch::Tensor weight, bias;

 private:
  Pair kernel_, stride_;
};
TORCH_MODULE(SameConv2d);

/// ConvTranspose2d(in_channels → out_channels) with TF 'same' output size. Parameters `weight`
/// [in, out, kh, kw] (torch's transposed layout) and `bias` [out].
/// forward: [N, in, H, W] → [N, out, H·sh, W·sw].
class SameConvTranspose2dImpl : public torch::nn::Module {
 public:
  SameConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, Pair kernel, Pair stride,
                          ConvTransposeMode mode = ConvTransposeMode::kAuto);
  /// Without add_bias the caller adds `bias` (e.g. folded into relu_batch_norm).
  torch::Tensor forward(const torch::Tensor& x, bool add_bias = true);
  /// True when forward_mirrored works for an [.., H, W] input without a cropped copy.
  bool mirrorable(int64_t h, int64_t w) const;
  /// forward in the mirrored frame (see above); x must be mirrorable.
  torch::Tensor forward_mirrored(const torch::Tensor& x, bool add_bias = true);
  void set_mode(ConvTransposeMode mode) { mode_ = mode; }

  torch::Tensor weight, bias;

 private:
  bool uses_conv_grad(const torch::Tensor& x) const;
  Pair kernel_, stride_;
  ConvTransposeMode mode_;
};
TORCH_MODULE(SameConvTranspose2d);

/// The transposed convolution (no bias) of x [N, Cin, H, W] with w [Cin, Cout, kh, kw], stride
/// and symmetric `padding` as in torch's conv_transpose2d, computed as the input gradient of a
/// Conv2d; differentiable in x and w. Returns [N, Cout, (H-1)·sh + kh - 2·ph, (W-1)·sw + kw - 2·pw].
torch::Tensor conv_transpose_as_conv_grad(const torch::Tensor& x, const torch::Tensor& w, Pair stride,
                                          Pair padding);
/// As above with the output's size given: [N, Cout, out_size[0], out_size[1]], i.e. torch's
/// output_padding = out_size − ((H-1)·sh + kh − 2·ph), which must lie in [0, stride).
torch::Tensor conv_transpose_as_conv_grad(const torch::Tensor& x, const torch::Tensor& w, Pair stride,
                                          Pair padding, Pair out_size);

}  // namespace mh::model
