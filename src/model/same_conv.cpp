#include "model/same_conv.hpp"

#include <algorithm>

namespace mh::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Output size of torch's conv_transpose2d(x, w) without output_padding.
Pair natural_transpose_size(const torch::Tensor& x, const torch::Tensor& w, c10::IntArrayRef stride,
                            c10::IntArrayRef padding) {
  return {(x.size(2) - 1) * stride[0] + w.size(2) - 2 * padding[0],
          (x.size(3) - 1) * stride[1] + w.size(3) - 2 * padding[1]};
}

// y = conv_transpose(x, w) is the gradient of conv2d(., w) with respect to its input, so both
// passes run on the oneDNN convolution kernels instead of CPU ConvTranspose2d's im2col + GEMM.
struct ConvGradTranspose : public torch::autograd::Function<ConvGradTranspose> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                               std::vector<int64_t> stride, std::vector<int64_t> padding,
                               std::vector<int64_t> out_size) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    const int64_t h = out_size[0];
    const int64_t wd = out_size[1];
    constexpr int64_t kFewOutputChannels = 4;
    if (w.size(1) < kFewOutputChannels) {
      // oneDNN's data gradient into so few channels crawls (58 ms at 5 GMAC/s for the seed's
      // 256 → 1 output layer at batch 32); im2col + GEMM takes 21 ms. The backward below is fast.
      const auto natural = natural_transpose_size(x, w, stride, padding);
      return at::conv_transpose2d(x, w, {}, stride, padding, {h - natural[0], wd - natural[1]});
    }
    // Only the sizes of the conv input are read, but the backend makes it contiguous first: an
    // expanded one-element tensor would be materialised in full, an uninitialised one is not.
    const auto like =
        torch::empty({x.size(0), w.size(1), h, wd}, x.options().memory_format(x.suggest_memory_format()));
    return std::get<0>(at::convolution_backward(x, like, w, c10::nullopt, stride, padding, {1, 1}, false,
                                                {0, 0}, 1, {true, false, false}));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    const auto stride = ctx->saved_data["stride"].toIntVector();
    const auto padding = ctx->saved_data["padding"].toIntVector();
    const auto& gy = grads[0];
    torch::Tensor gx, gw;
    if (ctx->needs_input_grad(0)) gx = at::conv2d(gy, w, {}, stride, padding);
    if (ctx->needs_input_grad(1)) {
      // Contiguous in gy's own layout: a plain contiguous() would turn channels-last into a copy.
      gw = std::get<1>(at::convolution_backward(x, gy.contiguous(gy.suggest_memory_format()), w, c10::nullopt,
                                                stride, padding, {1, 1}, false, {0, 0}, 1, {false, true, false}));
    }
    return {gx, gw, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

torch::Tensor glorot_weight(std::vector<int64_t> shape) {
  // Filled later by the owning model's seeded initialiser; empty here so that construction
  // draws nothing from the global generator.
  return torch::empty(shape);
}

}  // namespace

Pair tf_same_pads(int64_t size, int64_t kernel, int64_t stride) {
  const int64_t out = (size + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - size, 0);
  return {total / 2, total - total / 2};
}

SameConv2dImpl::SameConv2dImpl(int64_t in_channels, int64_t out_channels, Pair kernel, Pair stride)
    : kernel_(kernel), stride_(stride) {
  weight = register_parameter("weight", glorot_weight({out_channels, in_channels, kernel[0], kernel[1]}));
  bias = register_parameter("bias", torch::zeros({out_channels}));
}

torch::Tensor SameConv2dImpl::forward(const torch::Tensor& x) {
  const auto ph = tf_same_pads(x.size(2), kernel_[0], stride_[0]);
  const auto pw = tf_same_pads(x.size(3), kernel_[1], stride_[1]);
  if (ph[0] == ph[1] && pw[0] == pw[1]) {
    return at::conv2d(x, weight, bias, {stride_[0], stride_[1]}, {ph[0], pw[0]});
  }
  // TensorFlow puts the odd padding row/column at the end; conv2d pads symmetrically only.
  const auto padded = at::constant_pad_nd(x, {pw[0], pw[1], ph[0], ph[1]}, 0.0);
  return at::conv2d(padded, weight, bias, {stride_[0], stride_[1]});
}

bool SameConv2dImpl::mirrorable(int64_t h, int64_t w) const {
  // Mirrored, the pads (before, after) become (after, before); symmetric padding by `after`
  // gives the same outputs when the surplus (after − before) is dropped by the stride's floor.
  const Pair size{h, w};
  for (int a = 0; a < 2; ++a) {
    const auto pads = tf_same_pads(size[a], kernel_[a], stride_[a]);
    if (pads[1] < pads[0] || pads[1] - pads[0] >= stride_[a]) return false;
  }
  return true;
}

torch::Tensor SameConv2dImpl::forward_mirrored(const torch::Tensor& x) {
  const auto ph = tf_same_pads(x.size(2), kernel_[0], stride_[0]);
  const auto pw = tf_same_pads(x.size(3), kernel_[1], stride_[1]);
  return at::conv2d(x, weight.flip({2, 3}), bias, {stride_[0], stride_[1]}, {ph[1], pw[1]});
}

namespace {

// The rows [start, start + out) that TensorFlow keeps of a full transposed convolution of `in`
// rows, and the rows left over after them.
struct TransposeCrop {
  int64_t start, out, rest;
};

TransposeCrop transpose_crop(int64_t in, int64_t kernel, int64_t stride) {
  const int64_t out = in * stride;
  const int64_t start = std::max<int64_t>(kernel - stride, 0) / 2;
  return {start, out, (in - 1) * stride + kernel - start - out};
}

}  // namespace

SameConvTranspose2dImpl::SameConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, Pair kernel,
                                                 Pair stride, ConvTransposeMode mode)
    : kernel_(kernel), stride_(stride), mode_(mode) {
  weight = register_parameter("weight", glorot_weight({in_channels, out_channels, kernel[0], kernel[1]}));
  bias = register_parameter("bias", torch::zeros({out_channels}));
}

torch::Tensor SameConvTranspose2dImpl::forward(const torch::Tensor& x, bool add_bias) {
  // TensorFlow keeps rows [start, start + out) of the full transposed convolution; the symmetric
  // part of that crop is done by the convolution's padding, the rest by a narrow.
  const auto ch = transpose_crop(x.size(2), kernel_[0], stride_[0]);
  const auto cw = transpose_crop(x.size(3), kernel_[1], stride_[1]);
  const Pair pad{std::min(ch.start, ch.rest), std::min(cw.start, cw.rest)};
  const bool conv_grad = uses_conv_grad(x);
  const bool cropped = ch.start != ch.rest || cw.start != cw.rest;
  torch::Tensor y;
  if (conv_grad) {
    y = conv_transpose_as_conv_grad(x, weight, stride_, pad);
  } else {
    const auto fused_bias = cropped || !add_bias ? torch::Tensor() : bias;
    y = at::conv_transpose2d(x, weight, fused_bias, {stride_[0], stride_[1]}, {pad[0], pad[1]});
    if (!cropped) return y;
  }
  if (cropped) y = y.narrow(2, ch.start - pad[0], ch.out).narrow(3, cw.start - pad[1], cw.out);
  return add_bias ? y + bias.view({1, -1, 1, 1}) : y;
}

bool SameConvTranspose2dImpl::uses_conv_grad(const torch::Tensor& x) const {
  return mode_ == ConvTransposeMode::kConvGrad || (mode_ == ConvTransposeMode::kAuto && x.is_cpu());
}

bool SameConvTranspose2dImpl::mirrorable(int64_t h, int64_t w) const {
  // Mirrored, the crop (start, rest) becomes (rest, start): padding by `rest` with the output size
  // given crops exactly that when torch's output_padding (rest − start) lies in [0, stride).
  const Pair size{h, w};
  for (int a = 0; a < 2; ++a) {
    const auto c = transpose_crop(size[a], kernel_[a], stride_[a]);
    if (c.rest < c.start || c.rest - c.start >= stride_[a]) return false;
  }
  return true;
}

torch::Tensor SameConvTranspose2dImpl::forward_mirrored(const torch::Tensor& x, bool add_bias) {
  const auto ch = transpose_crop(x.size(2), kernel_[0], stride_[0]);
  const auto cw = transpose_crop(x.size(3), kernel_[1], stride_[1]);
  const auto w = weight.flip({2, 3});
  const bool conv_grad = uses_conv_grad(x);
  if (!conv_grad) {
    return at::conv_transpose2d(x, w, add_bias ? bias : torch::Tensor(), {stride_[0], stride_[1]},
                                {ch.rest, cw.rest}, {ch.rest - ch.start, cw.rest - cw.start});
  }
  auto y = conv_transpose_as_conv_grad(x, w, stride_, {ch.rest, cw.rest}, {ch.out, cw.out});
  // In place: the conv-gradient's backward does not read its output.
  return add_bias ? y.add_(bias.view({1, -1, 1, 1})) : y;
}

torch::Tensor conv_transpose_as_conv_grad(const torch::Tensor& x, const torch::Tensor& w, Pair stride,
                                          Pair padding) {
  return conv_transpose_as_conv_grad(x, w, stride, padding, natural_transpose_size(x, w, stride, padding));
}

torch::Tensor conv_transpose_as_conv_grad(const torch::Tensor& x, const torch::Tensor& w, Pair stride,
                                          Pair padding, Pair out_size) {
  return ConvGradTranspose::apply(x, w, std::vector<int64_t>{stride[0], stride[1]},
                                  std::vector<int64_t>{padding[0], padding[1]},
                                  std::vector<int64_t>{out_size[0], out_size[1]});
}

}  // namespace mh::model
