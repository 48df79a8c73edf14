#include "model/ml2_model.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "model/ml2_autoregressive.hpp"
#include "model/ml2_dense_ae.hpp"
#include "model/ml2_sequence_vae.hpp"

namespace mh::model {

std::shared_ptr<OrderModelImpl> make_order_model(const Ml2Settings& settings, int64_t input_dim) {
  settings.validate();
  if (settings.preset == "autoregressive") {
    AutoregressiveOptions o;
    o.input_dim = input_dim;
    o.hidden = settings.hidden;
    o.latent_dim = settings.latent_dim;
    o.max_length = settings.max_length;
    o.mixtures = settings.mixtures;
    o.temperature = settings.temperature;
    o.init_seed = settings.seed;
    return std::make_shared<AutoregressiveImpl>(o);
  }
  if (settings.preset == "dense") {
    DenseOrderAeOptions o;
    o.input_dim = input_dim;
    o.max_length = settings.max_length;
    o.latent_dim = settings.latent_dim;
    o.init_seed = settings.seed;
    return std::make_shared<DenseOrderAeImpl>(o);
  }
  SequenceVaeOptions o;
  o.input_dim = input_dim;
  o.hidden = settings.hidden;
  o.latent_dim = settings.latent_dim;
  o.max_length = settings.max_length;
  o.init_seed = settings.seed;
  return std::make_shared<SequenceVaeImpl>(o);
}

Ml2::Ml2(Ml2Settings settings, int64_t input_dim, torch::Device device)
    : Ml2(settings, make_order_model(settings, input_dim), "") {
  net_->to(device);
}

Ml2::Ml2(Ml2Settings settings, std::shared_ptr<OrderModelImpl> net, std::string ml1_version)
    : settings_(std::move(settings)), net_(std::move(net)), ml1_version_(std::move(ml1_version)) {
  settings_.validate();
  if (!net_ || net_->preset() != settings_.preset) {
    throw SettingsError(fmt::format("ml2.preset = '{}' does not match the model ('{}')", settings_.preset,
                                    net_ ? net_->preset() : std::string("none")));
  }
}

void Ml2::set_epochs(int epochs) {
  auto s = settings_;
  s.epochs = epochs;
  s.validate();
  settings_ = s;
}

void Ml2::set_learning_rate(double learning_rate) {
  auto s = settings_;
  s.learning_rate = learning_rate;
  s.validate();
  settings_ = s;
}

void Ml2::set_batch_size(int batch_size) {
  auto s = settings_;
  s.batch_size = batch_size;
  s.validate();
  settings_ = s;
}

}  // namespace mh::model
