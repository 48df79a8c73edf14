#include "model/ml2_order_model.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::model {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

torch::Tensor lengths_from_stop_logits(const torch::Tensor& stop_logits) {
  if (!stop_logits.defined() || stop_logits.dim() != 2 || stop_logits.size(1) < 1) {
    throw ShapeError(fmt::format("stop logits: got {}, expected [N, S] with S >= 1", ml2_shape_string(stop_logits)));
  }
  // Survival after step t is Π_{s≤t}(1 − p_s); the median length is the first step where it
  // falls to one half. Double precision keeps long products of near-one factors exact enough.
  const auto survival = (1.0 - torch::sigmoid(stop_logits.detach().to(torch::kCPU, torch::kDouble))).cumprod(1);
  const auto reached = survival.le(0.5);
  const auto first = reached.to(torch::kInt64).argmax(1);
  return torch::where(reached.any(1), first + 1, torch::full_like(first, stop_logits.size(1)));
}

OrderModelImpl::OrderModelImpl(int64_t input_dim, int64_t latent_dim, int64_t max_length)
    : input_dim_(input_dim), latent_dim_(latent_dim), max_length_(max_length) {
  check_min<int64_t>("input_dim", input_dim, 1);
  check_min<int64_t>("latent_dim", latent_dim, 1);
  check_min<int64_t>("max_length", max_length, 1);
  stats_mean_ = register_buffer("stats_mean", torch::zeros({input_dim}));
  stats_std_ = register_buffer("stats_std", torch::ones({input_dim}));
  // {min, max} training length; {0, 0} until statistics are set.
  length_range_ = register_buffer("length_range", torch::zeros({2}, torch::kInt64));
  latent_mean_ = register_buffer("latent_mean", torch::zeros({latent_dim}));
  latent_std_ = register_buffer("latent_std", torch::ones({latent_dim}));
}

void OrderModelImpl::initialise(uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    const auto& name = p.key();
    auto& t = p.value();
    const bool recurrent = name.find("weight_ih") != std::string::npos || name.find("weight_hh") != std::string::npos ||
                           name.find("bias_ih") != std::string::npos || name.find("bias_hh") != std::string::npos;
    torch::Tensor value;
    if (recurrent) {
      // GRU gates are stacked along dim 0 (3 · hidden rows); LibTorch's own default range.
      const auto hidden = t.size(0) / 3;
      const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
      value = torch::rand(t.sizes(), gen) * (2 * bound) - bound;
    } else if (ends_with(name, "bias")) {
      value = torch::zeros(t.sizes());
    } else {
      const double bound = std::sqrt(6.0 / static_cast<double>(t.size(0) + t.size(1)));
      value = torch::rand(t.sizes(), gen) * (2 * bound) - bound;
    }
    t.copy_(value);
  }
}

int64_t OrderModelImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

void OrderModelImpl::check_batch(const OrderBatch& b) const {
  const bool ok = b.x.defined() && b.x.dim() == 3 && b.x.size(0) >= 1 && b.x.size(1) >= 1 &&
                  b.x.size(1) <= max_length_ && b.x.size(2) == input_dim_ && b.mask.defined() &&
                  b.mask.sizes() == b.x.sizes().slice(0, 2) && b.lengths.defined() && b.lengths.dim() == 1 &&
                  b.lengths.size(0) == b.x.size(0);
  if (!ok) {
    throw ShapeError(fmt::format("order batch: got x {}, mask {}, lengths {}, expected [B, T <= {}, {}], [B, T], [B]",
                                 ml2_shape_string(b.x), ml2_shape_string(b.mask), ml2_shape_string(b.lengths),
                                 max_length_, input_dim_));
  }
}

void OrderModelImpl::check_latent(const torch::Tensor& z) const {
  if (!z.defined() || z.dim() != 2 || z.size(0) < 1 || z.size(1) != latent_dim_) {
    throw ShapeError(fmt::format("song latents: got {}, expected [N, {}]", ml2_shape_string(z), latent_dim_));
  }
}

void OrderModelImpl::check_decoding(const torch::Tensor& z, const torch::Tensor& lengths, int64_t steps) const {
  check_latent(z);
  if (!lengths.defined() || lengths.dim() != 1 || lengths.size(0) != z.size(0) || steps < 1 || steps > max_length_) {
    throw ShapeError(fmt::format("decoder lengths: got {} for {} steps, expected [{}] and 1 <= steps <= {}",
                                 ml2_shape_string(lengths), steps, z.size(0), max_length_));
  }
}

Ml2Output OrderModelImpl::forward(const OrderBatch& batch, torch::Generator* generator) {
  check_batch(batch);
  auto [mu, log_var] = encode_distribution(batch);
  auto z = mu;
  if (generator != nullptr && log_var.defined()) {
    const auto eps = torch::randn(mu.sizes(), *generator, torch::dtype(mu.dtype()).device(generator->device()));
    z = mu + torch::exp(0.5 * log_var) * eps.to(mu.device());
  }
  auto dec = decode(z, batch.lengths, batch.steps());
  return {dec.frames, dec.stop_logits, mu, log_var};
}

torch::Tensor OrderModelImpl::encode(const OrderBatch& batch) {
  check_batch(batch);
  return encode_distribution(batch).first;
}

OrderBatch OrderModelImpl::make_batch(const std::vector<torch::Tensor>& orders, int64_t pad_to) const {
  auto batch = pad_orders(orders, stats().to(device()), pad_to);
  if (batch.steps() > max_length_) {
    throw ShapeError(fmt::format("order batch: an order has {} steps, this model takes at most {} (ml2.max_length)",
                                 batch.steps(), max_length_));
  }
  return batch;
}

torch::Tensor OrderModelImpl::encode_orders(const std::vector<torch::Tensor>& orders) {
  torch::NoGradGuard no_grad;
  return encode(make_batch(orders));
}

std::vector<torch::Tensor> OrderModelImpl::reconstruct(const std::vector<torch::Tensor>& orders) {
  torch::NoGradGuard no_grad;
  const auto range = stats();
  return decode_orders(encode(make_batch(orders)), range.min_length, range.max_length);
}

std::vector<torch::Tensor> OrderModelImpl::decode_orders(const torch::Tensor& z, int64_t min_length,
                                                         int64_t max_length) {
  check_latent(z);
  check_range<int64_t>("min_length", min_length, 1, max_length_);
  check_range<int64_t>("max_length", max_length, min_length, max_length_);
  torch::NoGradGuard no_grad;
  const auto s = stats().to(device());
  const int64_t n = z.size(0);
  const auto all_steps = torch::full({n}, max_length, torch::kInt64);
  const auto dec = decode(z.to(device()), all_steps, max_length);
  const auto lengths = lengths_from_stop_logits(dec.stop_logits).clamp(min_length, max_length);
  const auto frames = denormalise(dec.frames, s);
  std::vector<torch::Tensor> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(frames[i].narrow(0, 0, lengths[i].item<int64_t>()).contiguous());
  return out;
}

std::pair<int64_t, int64_t> OrderModelImpl::sample_range(int64_t n, int64_t min_length, int64_t max_length) const {
  check_range<int64_t>("n", n, 1, int64_t{1} << 20);
  check_range<int64_t>("min_length", min_length, 1, max_length_);
  check_range<int64_t>("max_length", max_length, min_length, max_length_);
  const auto range = stats();
  int64_t lo = std::max(min_length, range.min_length), hi = std::min(max_length, range.max_length);
  if (lo > hi) {
    lo = min_length;
    hi = max_length;
  }
  return {lo, hi};
}

std::vector<torch::Tensor> OrderModelImpl::sample(int64_t n, torch::Generator& generator, int64_t min_length,
                                                  int64_t max_length) {
  const auto [lo, hi] = sample_range(n, min_length, max_length);
  torch::NoGradGuard no_grad;
  const auto eps = torch::randn({n, latent_dim_}, generator, torch::dtype(torch::kFloat32).device(generator.device()));
  const auto z = latent_mean_ + latent_std_ * eps.to(device());
  return decode_orders(z, lo, hi);
}

std::vector<torch::Tensor> OrderModelImpl::interpolate(const torch::Tensor& order_a, const torch::Tensor& order_b,
                                                       int64_t steps) {
  check_range<int64_t>("steps", steps, 2, 100000);
  torch::NoGradGuard no_grad;
  const auto mu = encode_orders({order_a, order_b});
  const auto alpha = torch::linspace(0.0, 1.0, steps, torch::dtype(torch::kFloat32).device(mu.device())).unsqueeze(1);
  const auto z = (1 - alpha) * mu[0].unsqueeze(0) + alpha * mu[1].unsqueeze(0);
  const auto range = stats();
  return decode_orders(z, range.min_length, range.max_length);
}

void OrderModelImpl::set_stats(const OrderStats& stats) {
  if (!stats.mean.defined() || !stats.std.defined() || stats.mean.dim() != 1 || stats.mean.size(0) != input_dim_ ||
      stats.std.sizes() != stats.mean.sizes()) {
    throw ShapeError(fmt::format("order statistics: got mean {}, std {}, expected [{}]", ml2_shape_string(stats.mean),
                                 ml2_shape_string(stats.std), input_dim_));
  }
  if (stats.min_length < 1 || stats.max_length < stats.min_length) {
    throw ShapeError(fmt::format("order statistics: length range [{}, {}] is empty", stats.min_length, stats.max_length));
  }
  torch::NoGradGuard no_grad;
  stats_mean_.copy_(stats.mean);
  stats_std_.copy_(stats.std.clamp_min(OrderStats::kMinStd));
  length_range_.copy_(torch::tensor({stats.min_length, stats.max_length}, torch::kInt64));
}

bool OrderModelImpl::has_stats() const { return length_range_[0].item<int64_t>() >= 1; }

OrderStats OrderModelImpl::stats() const {
  if (!has_stats()) throw CheckpointError("ml2 model has no order statistics: it was never trained");
  OrderStats s;
  s.mean = stats_mean_.to(torch::kCPU).clone();
  s.std = stats_std_.to(torch::kCPU).clone();
  const auto range = length_range_.to(torch::kCPU);
  s.min_length = range[0].item<int64_t>();
  s.max_length = range[1].item<int64_t>();
  return s;
}

void OrderModelImpl::set_latent_prior(const torch::Tensor& mean, const torch::Tensor& std) {
  if (!mean.defined() || !std.defined() || mean.dim() != 1 || mean.size(0) != latent_dim_ ||
      std.sizes() != mean.sizes()) {
    throw ShapeError(fmt::format("latent prior: got mean {}, std {}, expected [{}]", ml2_shape_string(mean),
                                 ml2_shape_string(std), latent_dim_));
  }
  torch::NoGradGuard no_grad;
  latent_mean_.copy_(mean);
  latent_std_.copy_(std);
}

}  // namespace mh::model
