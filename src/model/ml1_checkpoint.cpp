#include "model/ml1_checkpoint.hpp"

#include "core/errors.hpp"

namespace mh::model {

std::shared_ptr<torch::optim::Adam> make_adam(const ConvVae& model, double learning_rate) {
  return make_keras_adam(model->parameters(), learning_rate);
}

std::string save_ml1_checkpoint(const Ml1Settings& settings, const ConvVae& model, const torch::optim::Adam* optimizer,
                                const Ml1TrainingState& state) {
  nlohmann::json meta = {{"settings", settings.to_json()},
                         {"options", model->options().to_json()},
                         {"state", state.to_json()},
                         {"parameter_count", model->parameter_count()},
                         {"batch_norm", "recalibrated"}};
  return pack_training_checkpoint(kMl1Kind, std::move(meta), *model, optimizer, state);
}

LoadedMl1 load_ml1_checkpoint(std::string_view bytes, torch::Device device, const std::string& name) {
  const auto blob = unpack_checkpoint(bytes, kMl1Kind, name);
  LoadedMl1 out;
  ConvVaeOptions options;
  read_checkpoint_metadata(name, [&] {
    const auto& m = blob.metadata;
    out.settings = Ml1Settings::from_json(m.at("settings"));
    options = ConvVaeOptions::from_json(m.at("options"));
    out.state = Ml1TrainingState::from_json(m.at("state"));
    out.had_optimizer_state = m.at("has_optimizer").get<bool>();
    out.batch_norm_recalibrated = m.value("batch_norm", std::string()) == "recalibrated";
    out.settings.validate();
    options.validate();
  });
  out.model = ConvVae(options);
  out.model->to(device);
  out.optimizer = make_adam(out.model, out.settings.learning_rate);
  load_training_payload(blob.payload, device, name, *out.model, out.had_optimizer_state ? out.optimizer.get() : nullptr,
                        out.state);
  return out;
}

}  // namespace mh::model
