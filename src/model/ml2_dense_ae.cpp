#include "model/ml2_dense_ae.hpp"

#include <fmt/format.h>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::model {

void DenseOrderAeOptions::validate() const {
  check_range<int64_t>("ml2.input_dim", input_dim, 1, 1 << 16);
  check_range<int64_t>("ml2.max_length", max_length, 1, 100000);
  check_range<int64_t>("ml2.latent_dim", latent_dim, 1, 1024);
  if (hidden.empty()) throw SettingsError("ml2 dense hidden widths: none given, expected at least one");
  for (const auto h : hidden) check_range<int64_t>("ml2 dense hidden width", h, 1, 1 << 16);
  // The first layer's weight alone is max_length · (D + 1) × hidden[0].
  check_range<int64_t>("ml2.max_length × (input_dim + 1)", max_length * (input_dim + 1), 1, int64_t{1} << 24);
}

nlohmann::json DenseOrderAeOptions::to_json() const {
  return {{"input_dim", input_dim}, {"max_length", max_length}, {"latent_dim", latent_dim},
          {"hidden", hidden},       {"init_seed", init_seed}};
}

DenseOrderAeImpl::DenseOrderAeImpl(DenseOrderAeOptions options)
    : OrderModelOf(std::move(options)) {
  const auto& o = options_;
  const int64_t flat = o.max_length * (o.input_dim + 1);
  encoder = register_module("encoder", torch::nn::Sequential());
  int64_t prev = flat;
  for (const auto h : o.hidden) {
    encoder->push_back(torch::nn::Linear(prev, h));
    encoder->push_back(torch::nn::ReLU());
    prev = h;
  }
  encoder->push_back(torch::nn::Linear(prev, o.latent_dim));
  decoder = register_module("decoder", torch::nn::Sequential());
  prev = o.latent_dim;
  for (auto it = o.hidden.rbegin(); it != o.hidden.rend(); ++it) {
    decoder->push_back(torch::nn::Linear(prev, *it));
    decoder->push_back(torch::nn::ReLU());
    prev = *it;
  }
  decoder->push_back(torch::nn::Linear(prev, flat));
  initialise(o.init_seed);
}

std::pair<torch::Tensor, torch::Tensor> DenseOrderAeImpl::encode_distribution(const OrderBatch& batch) {
  check_batch(batch);
  const int64_t b = batch.size(), extra = options_.max_length - batch.steps();
  const auto mask = batch.mask.to(batch.x.dtype());
  // Zeroing by the mask keeps the input independent of whatever a caller left in the padding.
  const auto x = torch::constant_pad_nd(batch.x * mask.unsqueeze(2), {0, 0, 0, extra}).reshape({b, -1});
  const auto m = torch::constant_pad_nd(mask, {0, extra});
  return {encoder->forward(torch::cat({x, m}, 1)), torch::Tensor()};
}

OrderDecoding DenseOrderAeImpl::decode(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) {
  check_decoding(z, lengths, steps);
  const int64_t n = z.size(0), frames = options_.max_length * options_.input_dim;
  const auto out = decoder->forward(z);
  return {out.narrow(1, 0, frames).view({n, options_.max_length, options_.input_dim}).narrow(1, 0, steps),
          out.narrow(1, frames, options_.max_length).narrow(1, 0, steps)};
}

}  // namespace mh::model
