#include "model/ml2_checkpoint.hpp"

#include "core/errors.hpp"

namespace mh::model {

std::shared_ptr<torch::optim::Adam> make_ml2_adam(OrderModelImpl& net, double learning_rate) {
  return make_keras_adam(net.parameters(), learning_rate);
}

std::string save_ml2_checkpoint(const Ml2& model, const torch::optim::Adam* optimizer, const Ml2TrainingState& state) {
  nlohmann::json meta = {{"settings", model.settings().to_json()},
                         {"input_dim", model.net().input_dim()},
                         {"ml1_version", model.ml1_version()},
                         {"state", state.to_json()},
                         {"parameter_count", model.net().parameter_count()}};
  return pack_training_checkpoint(kMl2Kind, std::move(meta), model.net(), optimizer, state);
}

LoadedMl2 load_ml2_checkpoint(std::string_view bytes, torch::Device device, const std::string& name) {
  const auto blob = unpack_checkpoint(bytes, kMl2Kind, name);
  Ml2Settings settings;
  int64_t input_dim = 0;
  std::string ml1_version;
  Ml2TrainingState state;
  bool had_optimizer = false;
  std::shared_ptr<OrderModelImpl> net;
  read_checkpoint_metadata(name, [&] {
    const auto& m = blob.metadata;
    settings = Ml2Settings::from_json(m.at("settings"));
    input_dim = m.at("input_dim").get<int64_t>();
    ml1_version = m.at("ml1_version").get<std::string>();
    state = Ml2TrainingState::from_json(m.at("state"));
    had_optimizer = m.at("has_optimizer").get<bool>();
    net = make_order_model(settings, input_dim);
  });
  net->to(device);
  auto optimizer = make_ml2_adam(*net, settings.learning_rate);
  load_training_payload(blob.payload, device, name, *net, had_optimizer ? optimizer.get() : nullptr, state);
  return {Ml2(settings, net, ml1_version), optimizer, had_optimizer, state};
}

}  // namespace mh::model
