#include "model/batch_norm_calibration.hpp"

namespace mh::model {

namespace {

std::vector<torch::nn::BatchNorm2dImpl*> batch_norms(ConvVaeImpl& model) {
  std::vector<torch::nn::BatchNorm2dImpl*> out;
  for (auto* list : {&model.encoder_norms, &model.decoder_norms}) {
    for (auto& m : **list) out.push_back(m->as<torch::nn::BatchNorm2dImpl>());
  }
  return out;
}

}  // namespace

void recalibrate_batch_norm(ConvVaeImpl& model, int64_t n_batches, const std::function<torch::Tensor(int64_t)>& batch) {
  if (n_batches <= 0) return;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  auto norms = batch_norms(model);
  std::vector<c10::optional<double>> momenta;
  for (auto* bn : norms) {
    momenta.push_back(bn->options.momentum());
    bn->reset_running_stats();
  }
  model.train();
  int64_t seen = 0;
  try {
    for (int64_t b = 0; b < n_batches; ++b) {
      const auto x = batch(b);
      seen += x.size(0);
      // A running average with weight n_b / n_so_far is the snippet-weighted mean of the batches'
      // statistics; the first batch replaces the reset values.
      const double weight = static_cast<double>(x.size(0)) / static_cast<double>(seen);
      for (auto* bn : norms) bn->options.momentum(weight);
      model.decode(model.encode(x));
    }
  } catch (...) {
    for (size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
    model.train(was_training);
    throw;
  }
  for (size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
  model.train(was_training);
}

torch::Tensor recalibrate_batch_norm(ConvVaeImpl& model, const SnippetSource& source,
                                     const std::vector<int64_t>& indices, size_t limit, int64_t batch_size,
                                     torch::Device device) {
  const auto subset = calibration_subset(indices, limit);
  const int64_t n = static_cast<int64_t>(subset.size());
  torch::Tensor sum;
  recalibrate_batch_norm(model, (n + batch_size - 1) / batch_size, [&](int64_t b) {
    const std::vector<int64_t> idx(subset.begin() + b * batch_size, subset.begin() + std::min(n, (b + 1) * batch_size));
    const auto x = source.batch(idx).to(device, torch::kFloat32);
    const auto s = x.sum(0, /*keepdim=*/true);
    sum = sum.defined() ? sum + s : s;
    return x;
  });
  return sum.defined() ? sum / static_cast<double>(n) : sum;
}

std::vector<int64_t> calibration_subset(const std::vector<int64_t>& indices, size_t limit) {
  if (indices.size() <= limit || limit == 0) return limit == 0 ? std::vector<int64_t>{} : indices;
  std::vector<int64_t> out;
  out.reserve(limit);
  for (size_t i = 0; i < limit; ++i) out.push_back(indices[i * indices.size() / limit]);
  return out;
}

}  // namespace mh::model
