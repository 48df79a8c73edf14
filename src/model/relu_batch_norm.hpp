#pragma once
/// ReLU then BatchNorm, the block that follows every convolution of ML1, as one operation.
///
/// On the CPU, torch runs relu_ and the training-mode batch_norm as separate passes over the
/// activations (about six reads and writes of each element forward and backward, and its batch
/// statistics alone take 4× a copy of the tensor): on the `seed` model that was about a tenth of
/// a training step, spent on the two 64 × 64 layers' 268-MB and 134-MB activations. The fused
/// kernel reads the convolution's output twice forward (statistics, then normalise) and twice
/// backward, and keeps nothing but that output for the backward pass.
#include <torch/torch.h>

namespace mh::model {

/// bn(relu(x + pre_bias)) with the module's parameters, running statistics and counter, as
/// `bn->forward(torch::relu(x + pre_bias.view({1, -1, 1, 1})))`: in training the batch statistics
/// normalise (biased variance) and update the running mean and variance (unbiased) with the
/// module's momentum; in eval the running statistics normalise. `pre_bias` (optional, [C]) is the
/// preceding convolution's bias, folded in so that no pass adds it to the activations.
/// Differentiable in x, pre_bias and bn's weight and bias.
/// Float32 contiguous NCHW tensors on the CPU in training take the fused kernel; anything else
/// (another device, dtype or memory format, eval mode, a BatchNorm without affine parameters,
/// running statistics or momentum) takes the torch operators, with the ReLU in place on x when
/// no gradient is being recorded: pass a convolution's output that nothing else reads (these
/// are the largest tensors of the model: 32 × 512 × 64 × 64 floats at batch 32 in `seed`).
torch::Tensor relu_batch_norm(torch::Tensor x, torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& pre_bias = {});

/// Whether relu_batch_norm takes the fused kernel for this input, module and bias.
bool fused_relu_batch_norm_applies(const torch::Tensor& x, const torch::nn::BatchNorm2dImpl& bn,
                                   const torch::Tensor& pre_bias = {});

}  // namespace mh::model
