#include "conversation/judge.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "agent/agent.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "model/ml1_checkpoint.hpp"

namespace mh::conversation {
namespace {

constexpr int64_t kBatch = 32;

model::ConvVae load_frozen(const std::string& bytes, const std::string& name) {
  auto loaded = model::load_ml1_checkpoint(bytes, torch::kCPU, name);
  loaded.model->eval();
  return loaded.model;
}

torch::Tensor read_items(const agent::Agent& agent, const std::vector<int64_t>& ids) {
  std::vector<torch::Tensor> parts;
  for (size_t s = 0; s < ids.size(); s += 256) {
    const std::vector<int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(s),
                                     ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), s + 256)));
    parts.push_back(agent.dataset().read(chunk).squeeze(1));
  }
  return torch::cat(parts, 0);
}

}  // namespace

double reconstruction_error(model::ConvVae& model, const torch::Tensor& mel, torch::Device device) {
  torch::NoGradGuard no_grad;
  model->eval();
  double sum = 0;
  int64_t count = 0;
  for (int64_t s = 0; s < mel.size(0); s += kBatch) {
    const auto x = mel.slice(0, s, std::min(s + kBatch, mel.size(0))).unsqueeze(1).to(device, torch::kFloat32);
    const auto y = model->decode(model->encode(x));
    sum += (y - x).pow(2).sum().item<double>();
    count += x.numel();
  }
  return count ? sum / static_cast<double>(count) : 0.0;
}

Judge Judge::create(const agent::Agent& agent, int reference_snippets, std::uint64_t seed) {
  const auto& store = agent.dataset();
  std::vector<int64_t> pool;
  // Both held-out splits: a reference several times larger than the drift measures' dimension.
  for (const auto split : {corpus::Split::kReference, corpus::Split::kValidation}) {
    for (const auto id : store.ids(split)) {
      if (store.manifest().item(id).song->provenance.depth == 0) pool.push_back(id);
    }
  }
  if (pool.empty()) {
    for (const auto id : store.ids(corpus::Split::kTrain)) {
      if (store.manifest().item(id).song->provenance.depth == 0) pool.push_back(id);
    }
  }
  if (pool.empty()) {
    throw DatasetError(fmt::format("{}: no human snippets to measure the conversation against", agent.dir().string()));
  }
  if (static_cast<int64_t>(pool.size()) > reference_snippets) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto perm = torch::randperm(static_cast<int64_t>(pool.size()), gen, torch::kInt64);
    std::vector<int64_t> chosen;
    for (int64_t i = 0; i < reference_snippets; ++i) chosen.push_back(pool[static_cast<size_t>(perm[i].item<int64_t>())]);
    std::sort(chosen.begin(), chosen.end());
    pool = std::move(chosen);
  }
  if (!agent.has_ml1()) agent.ml1();  // throws the agent's own "train ML1 first" message
  Judge j;
  j.ml1_bytes_ = read_file(agent.ml1_path());
  j.ml1_ = load_frozen(j.ml1_bytes_, agent.ml1_path().string());
  j.reference_items_ = std::move(pool);
  j.reference_mel_ = read_items(agent, j.reference_items_);
  j.reference_emb_ = j.embed(j.reference_mel_);
  j.error0_ = reconstruction_error(j.ml1_, j.reference_mel_, torch::kCPU);
  j.fit_map();
  j.fit_drift_axes();
  return j;
}

Judge Judge::restore(const agent::Agent& agent, const std::string& ml1_bytes, const nlohmann::json& meta,
                     const std::string& name) {
  Judge j;
  try {
    j.ml1_bytes_ = ml1_bytes;
    j.ml1_ = load_frozen(ml1_bytes, name);
    j.reference_items_ = meta.at("reference_items").get<std::vector<int64_t>>();
    j.error0_ = meta.at("error0").get<double>();
    const auto mean = meta.at("map_mean").get<std::vector<double>>();
    const auto axes = meta.at("map_axes").get<std::vector<std::vector<double>>>();
    j.explained_ = meta.at("explained_variance").get<std::vector<double>>();
    if (j.reference_items_.empty() || axes.size() != 2 || mean.empty()) throw DatasetError("empty map or reference");
    j.map_mean_ = torch::tensor(mean, torch::kFloat64);
    auto a0 = torch::tensor(axes[0], torch::kFloat64), a1 = torch::tensor(axes[1], torch::kFloat64);
    if (a0.size(0) != j.map_mean_.size(0) || a1.size(0) != j.map_mean_.size(0)) throw DatasetError("map axes size");
    j.map_axes_ = torch::stack({a0, a1}, 1);
  } catch (const nlohmann::json::exception& e) {
    throw DatasetError(fmt::format("{}: unreadable judge description: {}", name, e.what()));
  } catch (const DatasetError& e) {
    throw DatasetError(fmt::format("{}: bad judge description: {}", name, e.what()));
  }
  j.reference_mel_ = read_items(agent, j.reference_items_);
  j.reference_emb_ = j.embed(j.reference_mel_);
  // Not saved: the same reference gives the same axes, so a judge of an older session gets them too.
  j.fit_drift_axes();
  return j;
}

nlohmann::json Judge::meta() const {
  std::vector<double> mean(map_mean_.data_ptr<double>(), map_mean_.data_ptr<double>() + map_mean_.numel());
  const auto axes_t = map_axes_.t().contiguous();
  const int64_t d = axes_t.size(1);
  std::vector<std::vector<double>> axes;
  for (int64_t k = 0; k < 2; ++k) axes.emplace_back(axes_t[k].data_ptr<double>(), axes_t[k].data_ptr<double>() + d);
  return {{"reference_items", reference_items_}, {"error0", error0_}, {"map_mean", mean},
          {"map_axes", axes},                    {"explained_variance", explained_}};
}

torch::Tensor Judge::embed(const torch::Tensor& mel) const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t s = 0; s < mel.size(0); s += kBatch) {
    const auto x = mel.slice(0, s, std::min(s + kBatch, mel.size(0))).unsqueeze(1).to(torch::kFloat32);
    parts.push_back(ml1_->encode(x).to(torch::kFloat64));
  }
  if (parts.empty()) return torch::zeros({0, ml1_->options().latent_dim}, torch::kFloat64);
  return torch::cat(parts, 0);
}

torch::Tensor Judge::project(const torch::Tensor& embeddings) const {
  return (embeddings.to(torch::kFloat64) - map_mean_).matmul(map_axes_);
}

torch::Tensor Judge::drift_project(const torch::Tensor& embeddings) const {
  return (embeddings.to(torch::kFloat64) - reference_emb_.mean(0)).matmul(drift_axes_);
}

int64_t drift_dimensions(int64_t reference_size, int64_t latent_dim) {
  // A covariance fitted on n points has rank n − 1 at most; a fifth keeps it well estimated.
  return std::min(latent_dim, std::clamp<int64_t>(reference_size / 5, 2, 8));
}

void Judge::fit_drift_axes() {
  const auto x = reference_emb_;
  const auto centred = x - x.mean(0);
  const auto cov = centred.t().matmul(centred) / std::max<int64_t>(1, x.size(0) - 1);
  const auto vectors = std::get<1>(torch::linalg::eigh(cov, "L"));  // ascending
  const int64_t d = vectors.size(1);
  const int64_t k = conversation::drift_dimensions(x.size(0), d);
  auto axes = vectors.slice(1, d - k, d).flip({1}).contiguous();
  for (int64_t c = 0; c < k; ++c) {
    auto col = axes.select(1, c);
    if (col[col.abs().argmax()].item<double>() < 0) col.mul_(-1);
  }
  drift_axes_ = axes;
}

void Judge::fit_map() {
  const auto x = reference_emb_;
  map_mean_ = x.mean(0);
  const auto centred = x - map_mean_;
  const auto cov = centred.t().matmul(centred) / std::max<int64_t>(1, x.size(0) - 1);
  const auto [values, vectors] = torch::linalg::eigh(cov, "L");  // ascending
  const int64_t d = values.size(0);
  if (d < 2) throw ShapeError(fmt::format("latent map: latent size {} is below 2", d));
  auto axes = torch::stack({vectors.select(1, d - 1), vectors.select(1, d - 2)}, 1).contiguous();
  // Eigenvectors have no sign of their own: fix one so the same data always gives the same map.
  for (int64_t k = 0; k < 2; ++k) {
    auto col = axes.select(1, k);
    if (col[col.abs().argmax()].item<double>() < 0) col.mul_(-1);
  }
  map_axes_ = axes;
  const double total = std::max(values.sum().item<double>(), 1e-30);
  explained_ = {values[d - 1].item<double>() / total, values[d - 2].item<double>() / total};
}

}  // namespace mh::conversation
