#include "model/ml2_autoregressive.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/check.hpp"
#include "core/errors.hpp"

namespace mh::model {

void AutoregressiveOptions::validate() const {
  check_range<int64_t>("ml2.input_dim", input_dim, 1, 1 << 16);
  check_range<int64_t>("ml2.hidden", hidden, 1, 8192);
  check_range<int64_t>("ml2.latent_dim", latent_dim, 1, 1024);
  check_range<int64_t>("ml2.max_length", max_length, 1, 100000);
  check_range<int64_t>("ml2.mixtures", mixtures, 1, 64);
  if (!(temperature > 0 && temperature <= 10)) {
    throw SettingsError(fmt::format("ml2.temperature = {} is out of range: allowed (0, 10]", temperature));
  }
}

nlohmann::json AutoregressiveOptions::to_json() const {
  return {{"input_dim", input_dim}, {"hidden", hidden},           {"latent_dim", latent_dim}, {"max_length", max_length},
          {"mixtures", mixtures},   {"temperature", temperature}, {"init_seed", init_seed}};
}

torch::Tensor NextStepMixture::expected() const {
  return (torch::softmax(logits, -1).unsqueeze(-1) * mean).sum(-2);
}

AutoregressiveImpl::AutoregressiveImpl(AutoregressiveOptions options) : OrderModelOf(std::move(options)) {
  const auto& o = options_;
  // One more input than D: the start flag, so that a song's first step is asked for explicitly.
  gru = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(o.input_dim + 1, o.hidden).batch_first(true)));
  head = register_module("head", torch::nn::Linear(o.hidden, o.mixtures * (1 + 2 * o.input_dim)));
  initialise(o.init_seed);
}

std::pair<torch::Tensor, torch::Tensor> AutoregressiveImpl::encode_distribution(const OrderBatch& /*batch*/) {
  throw SettingsError("ml2.preset = 'autoregressive' has no song latent to encode (use the sequence preset)");
}

OrderDecoding AutoregressiveImpl::decode(const torch::Tensor& /*z*/, const torch::Tensor& /*lengths*/,
                                         int64_t /*steps*/) {
  throw SettingsError("ml2.preset = 'autoregressive' has no song latent to decode (use the sequence preset)");
}

NextStepMixture AutoregressiveImpl::predict(const torch::Tensor& previous, const torch::Tensor& starts,
                                            const torch::Tensor& h0, torch::Tensor* h_n) {
  const int64_t d = input_dim(), k = options_.mixtures;
  if (!previous.defined() || previous.dim() != 3 || previous.size(0) < 1 || previous.size(1) < 1 ||
      previous.size(2) != d || !starts.defined() || starts.dim() != 1 || starts.size(0) != previous.size(0)) {
    throw ShapeError(fmt::format("next-step inputs: got previous {}, starts {}, expected [B, T, {}] and [B]",
                                 ml2_shape_string(previous), ml2_shape_string(starts), d));
  }
  const int64_t b = previous.size(0), t = previous.size(1);
  const auto dev = previous.device();
  const auto first = starts.to(dev, torch::kBool).view({b, 1, 1});
  auto frames = previous.to(torch::kFloat32);
  auto flag = torch::zeros({b, t, 1}, frames.options());
  // Only row 0 can be the start token; its frame part is zero (the normalised mean).
  auto row0 = torch::zeros({1, t, 1}, torch::dtype(torch::kBool).device(dev));
  row0.index_put_({0, 0, 0}, true);
  const auto is_start = first & row0;
  frames = frames.masked_fill(is_start, 0.0);
  flag = flag.masked_fill(is_start, 1.0);
  const auto input = torch::cat({frames, flag}, 2);
  auto [out, state] = h0.defined() ? gru->forward(input, h0) : gru->forward(input);
  if (h_n != nullptr) *h_n = state;
  const auto raw = head(out);
  NextStepMixture m;
  m.logits = raw.narrow(2, 0, k);
  m.mean = raw.narrow(2, k, k * d).view({b, t, k, d});
  m.log_std = raw.narrow(2, k + k * d, k * d).view({b, t, k, d}).clamp(kMinLogStd, kMaxLogStd);
  return m;
}

std::vector<torch::Tensor> AutoregressiveImpl::generate(const std::vector<int64_t>& lengths,
                                                        torch::Generator& generator, double temperature) {
  if (lengths.empty()) throw SettingsError("generate: no lengths given");
  int64_t longest = 0;
  for (const auto len : lengths) {
    check_range<int64_t>("length", len, 1, max_length());
    longest = std::max(longest, len);
  }
  if (!(temperature > 0 && temperature <= 10)) {
    throw SettingsError(fmt::format("ml2.temperature = {} is out of range: allowed (0, 10]", temperature));
  }
  torch::NoGradGuard no_grad;
  const auto s = stats().to(device());
  const int64_t n = static_cast<int64_t>(lengths.size()), d = input_dim();
  const auto draw_options = torch::dtype(torch::kFloat32).device(generator.device());
  auto previous = torch::zeros({n, 1, d}, torch::dtype(torch::kFloat32).device(device()));
  auto starts = torch::ones({n}, torch::kBool);
  torch::Tensor h;
  std::vector<torch::Tensor> steps;
  steps.reserve(static_cast<size_t>(longest));
  for (int64_t t = 0; t < longest; ++t) {
    const auto m = predict(previous, starts, h, &h);
    const auto weights = torch::softmax(m.logits.select(1, 0) / temperature, -1).to(generator.device());
    const auto pick = torch::multinomial(weights, 1, /*replacement=*/true, generator).to(device());
    const auto index = pick.view({n, 1, 1}).expand({n, 1, d});
    const auto mean = m.mean.select(1, 0).gather(1, index).squeeze(1);
    const auto sigma = m.log_std.select(1, 0).gather(1, index).squeeze(1).exp();
    const auto eps = torch::randn({n, d}, generator, draw_options).to(device());
    const auto next = mean + temperature * sigma * eps;
    steps.push_back(next);
    previous = next.unsqueeze(1);
    starts = torch::zeros({n}, torch::kBool);
  }
  const auto frames = denormalise(torch::stack(steps, 1), s);
  std::vector<torch::Tensor> out;
  out.reserve(lengths.size());
  for (int64_t i = 0; i < n; ++i) out.push_back(frames[i].narrow(0, 0, lengths[static_cast<size_t>(i)]).contiguous());
  return out;
}

std::vector<torch::Tensor> AutoregressiveImpl::sample(int64_t n, torch::Generator& generator, int64_t min_length,
                                                      int64_t max_length) {
  const auto [lo, hi] = sample_range(n, min_length, max_length);
  const auto drawn = torch::randint(lo, hi + 1, {n}, generator, torch::dtype(torch::kInt64).device(generator.device()));
  std::vector<int64_t> lengths;
  const auto cpu = drawn.to(torch::kCPU);
  for (int64_t i = 0; i < n; ++i) lengths.push_back(cpu[i].item<int64_t>());
  return generate(lengths, generator, options_.temperature);
}

std::vector<torch::Tensor> AutoregressiveImpl::reconstruct(const std::vector<torch::Tensor>& orders) {
  torch::NoGradGuard no_grad;
  const auto batch = make_batch(orders);
  // Step t is predicted from steps before it: the inputs are the order shifted by one.
  const auto previous = torch::cat({torch::zeros_like(batch.x.narrow(1, 0, 1)), batch.x.narrow(1, 0, batch.steps() - 1)}, 1);
  const auto m = predict(previous, torch::ones({batch.size()}, torch::kBool));
  const auto frames = denormalise(m.expected(), stats().to(device()));
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < batch.size(); ++i) {
    out.push_back(frames[i].narrow(0, 0, batch.lengths[i].item<int64_t>()).contiguous());
  }
  return out;
}

torch::Tensor resample_order(const torch::Tensor& order, int64_t steps) {
  check_order(order, -1, "resample: order");
  check_range<int64_t>("resample: steps", steps, 1, 1000000);
  const int64_t t = order.size(0);
  if (steps == t) return order.clone();
  if (t == 1 || steps == 1) return order.narrow(0, 0, 1).expand({steps, order.size(1)}).clone();
  const auto pos = torch::linspace(0.0, static_cast<double>(t - 1), steps, torch::kFloat64);
  const auto lo = pos.floor().to(torch::kInt64).clamp(0, t - 2);
  const auto frac = (pos - lo.to(torch::kFloat64)).to(order.scalar_type()).to(order.device()).unsqueeze(1);
  const auto lo_d = lo.to(order.device());
  return order.index_select(0, lo_d) * (1 - frac) + order.index_select(0, lo_d + 1) * frac;
}

std::vector<torch::Tensor> AutoregressiveImpl::interpolate(const torch::Tensor& order_a, const torch::Tensor& order_b,
                                                           int64_t steps) {
  check_range<int64_t>("steps", steps, 2, 100000);
  check_order(order_a, input_dim(), "interpolate: order a");
  check_order(order_b, input_dim(), "interpolate: order b");
  const auto a = order_a.to(device(), torch::kFloat32);
  const auto b = order_b.to(device(), torch::kFloat32);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < steps; ++i) {
    const double alpha = static_cast<double>(i) / static_cast<double>(steps - 1);
    const auto len = std::max<int64_t>(
        1, std::llround((1 - alpha) * static_cast<double>(a.size(0)) + alpha * static_cast<double>(b.size(0))));
    out.push_back(((1 - alpha) * resample_order(a, len) + alpha * resample_order(b, len)).contiguous());
  }
  return out;
}

void AutoregressiveImpl::set_temperature(double temperature) {
  auto o = options_;
  o.temperature = temperature;
  o.validate();
  options_ = o;
}

}  // namespace mh::model
