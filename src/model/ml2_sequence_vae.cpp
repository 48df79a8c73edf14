#include "model/ml2_sequence_vae.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::model {

namespace rnn = torch::nn::utils::rnn;

void SequenceVaeOptions::validate() const {
  check_range<int64_t>("ml2.input_dim", input_dim, 1, 1 << 16);
  check_range<int64_t>("ml2.hidden", hidden, 1, 8192);
  check_range<int64_t>("ml2.latent_dim", latent_dim, 1, 1024);
  check_range<int64_t>("ml2.max_length", max_length, 1, 100000);
  check_range<int64_t>("ml2.time_features", time_features, 2, 256);
  if (time_features % 2 != 0) {
    throw SettingsError(fmt::format("ml2.time_features = {} must be even", time_features));
  }
}

nlohmann::json SequenceVaeOptions::to_json() const {
  return {{"input_dim", input_dim},   {"hidden", hidden},           {"latent_dim", latent_dim},
          {"max_length", max_length}, {"time_features", time_features}, {"init_seed", init_seed}};
}

torch::Tensor time_features(int64_t steps, int64_t features, int64_t max_length, torch::Device device) {
  const int64_t half = features / 2;
  const auto t = torch::arange(steps, torch::kFloat64).unsqueeze(1);
  const auto k = torch::arange(half, torch::kFloat64).unsqueeze(0);
  // Periods from 2π steps up to about 2π · max_length steps: fine detail and the song's arc.
  const auto angle = t * torch::pow(static_cast<double>(std::max<int64_t>(max_length, 2)), -k / half);
  return torch::cat({torch::sin(angle), torch::cos(angle)}, 1).to(device, torch::kFloat32);
}

SequenceVaeImpl::SequenceVaeImpl(SequenceVaeOptions options)
    : OrderModelOf(std::move(options)) {
  const auto& o = options_;
  encoder = register_module(
      "encoder", torch::nn::GRU(torch::nn::GRUOptions(o.input_dim, o.hidden).batch_first(true).bidirectional(true)));
  mu = register_module("mu", torch::nn::Linear(2 * o.hidden, o.latent_dim));
  log_var = register_module("log_var", torch::nn::Linear(2 * o.hidden, o.latent_dim));
  decoder_init = register_module("decoder_init", torch::nn::Linear(o.latent_dim, o.hidden));
  decoder = register_module(
      "decoder", torch::nn::GRU(torch::nn::GRUOptions(o.latent_dim + o.time_features, o.hidden).batch_first(true)));
  frame_head = register_module("frame_head", torch::nn::Linear(o.hidden, o.input_dim));
  stop_head = register_module("stop_head", torch::nn::Linear(o.hidden, 1));
  initialise(o.init_seed);
}

std::pair<torch::Tensor, torch::Tensor> SequenceVaeImpl::encode_distribution(const OrderBatch& batch) {
  check_batch(batch);
  const auto packed = rnn::pack_padded_sequence(batch.x, batch.lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
  // h_n [2, B, hidden] comes back in the batch's own order: forward state after each song's
  // last real step, backward state after its first.
  const auto h_n = std::get<1>(encoder->forward_with_packed_input(packed));
  const auto h = h_n.transpose(0, 1).reshape({batch.size(), 2 * options_.hidden});
  return {mu(h), log_var(h)};
}

OrderDecoding SequenceVaeImpl::decode(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) {
  check_decoding(z, lengths, steps);
  const int64_t n = z.size(0);
  const auto lens = lengths.to(torch::kCPU, torch::kInt64).clamp(1, steps);
  const auto times = time_features(steps, options_.time_features, options_.max_length, z.device());
  const auto input = torch::cat({z.unsqueeze(1).expand({n, steps, options_.latent_dim}),
                                 times.unsqueeze(0).expand({n, steps, options_.time_features})},
                                2);
  const auto h0 = torch::tanh(decoder_init(z)).unsqueeze(0);
  const auto packed = rnn::pack_padded_sequence(input, lens, /*batch_first=*/true, /*enforce_sorted=*/false);
  const auto out = std::get<0>(decoder->forward_with_packed_input(packed, h0));
  // The heads run on the packed rows only; the results are then laid out as [N, steps, ...].
  const auto rows = out.data();
  const auto head = torch::cat({frame_head(rows), stop_head(rows)}, 1);
  const rnn::PackedSequence packed_head(head, out.batch_sizes(), out.sorted_indices(), out.unsorted_indices());
  const auto padded = std::get<0>(rnn::pad_packed_sequence(packed_head, /*batch_first=*/true, 0.0, steps));
  return {padded.narrow(2, 0, options_.input_dim), padded.select(2, options_.input_dim)};
}

}  // namespace mh::model
