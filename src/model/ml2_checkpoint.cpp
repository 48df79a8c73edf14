#include "model/ml2_checkpoint.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "model/checkpoint.hpp"

namespace mh::model {

std::shared_ptr<torch::optim::Adam> make_ml2_adam(OrderModelImpl& net, double learning_rate) {
  return std::make_shared<torch::optim::Adam>(net.parameters(),
                                              torch::optim::AdamOptions(learning_rate).betas({0.9, 0.999}).eps(1e-7));
}

std::string save_ml2_checkpoint(const Ml2& model, const torch::optim::Adam* optimizer, const Ml2TrainingState& state) {
  torch::serialize::OutputArchive root, model_archive, optimizer_archive;
  model.net().save(model_archive);
  root.write("model", model_archive);
  if (optimizer != nullptr) {
    optimizer->save(optimizer_archive);
    root.write("optimizer", optimizer_archive);
  }
  const std::pair<const char*, const torch::Tensor*> rngs[] = {
      {"rng_shuffle", &state.shuffle_rng}, {"rng_sample", &state.sample_rng}, {"rng_epoch_shuffle", &state.epoch_shuffle_rng}};
  for (const auto& [key, t] : rngs) {
    if (t->defined()) root.write(key, *t, /*is_buffer=*/true);
  }
  const nlohmann::json meta = {{"settings", model.settings().to_json()},
                               {"input_dim", model.net().input_dim()},
                               {"ml1_version", model.ml1_version()},
                               {"state", state.to_json()},
                               {"has_optimizer", optimizer != nullptr},
                               {"parameter_count", model.net().parameter_count()}};
  return pack_checkpoint({kMl2Kind, meta, archive_bytes(root)});
}

LoadedMl2 load_ml2_checkpoint(std::string_view bytes, torch::Device device, const std::string& name) {
  const auto blob = unpack_checkpoint(bytes, kMl2Kind, name);
  Ml2Settings settings;
  int64_t input_dim = 0;
  std::string ml1_version;
  Ml2TrainingState state;
  bool had_optimizer = false;
  std::shared_ptr<OrderModelImpl> net;
  try {
    const auto& m = blob.metadata;
    settings = Ml2Settings::from_json(m.at("settings"));
    input_dim = m.at("input_dim").get<int64_t>();
    ml1_version = m.at("ml1_version").get<std::string>();
    state = Ml2TrainingState::from_json(m.at("state"));
    had_optimizer = m.at("has_optimizer").get<bool>();
    net = make_order_model(settings, input_dim);
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}: incomplete metadata ({})", name, e.what()));
  } catch (const SettingsError& e) {
    throw CheckpointError(fmt::format("{}: invalid metadata ({})", name, e.what()));
  } catch (const CheckpointError& e) {
    throw CheckpointError(fmt::format("{}: {}", name, e.what()));
  }
  net->to(device);
  std::shared_ptr<torch::optim::Adam> optimizer;
  try {
    torch::serialize::InputArchive root, model_archive;
    root.load_from(blob.payload.data(), blob.payload.size(), device);
    if (!root.try_read("model", model_archive)) throw CheckpointError(fmt::format("{}: no model in the archive", name));
    load_module_checked(*net, model_archive, name);
    optimizer = make_ml2_adam(*net, settings.learning_rate);
    if (had_optimizer) {
      torch::serialize::InputArchive optimizer_archive;
      if (!root.try_read("optimizer", optimizer_archive)) {
        throw CheckpointError(fmt::format("{}: optimizer state is missing", name));
      }
      optimizer->load(optimizer_archive);
    }
    // Generator states always live on the CPU, whatever the model's device.
    const std::pair<const char*, torch::Tensor*> rngs[] = {{"rng_shuffle", &state.shuffle_rng},
                                                           {"rng_sample", &state.sample_rng},
                                                           {"rng_epoch_shuffle", &state.epoch_shuffle_rng}};
    for (const auto& [key, t] : rngs) {
      if (root.try_read(key, *t, /*is_buffer=*/true)) *t = t->to(torch::kCPU);
    }
  } catch (const c10::Error& e) {
    throw CheckpointError(fmt::format("{}: unreadable archive ({})", name, e.what_without_backtrace()));
  } catch (const mh::Error&) {
    throw;
  } catch (const std::exception& e) {
    // LibTorch's archive importer also throws its own classes (torch::jit::ErrorReport), with
    // several lines of context: the first says what is wrong.
    const std::string what = e.what();
    throw CheckpointError(fmt::format("{}: unreadable archive ({})", name, what.substr(0, what.find('\n'))));
  }
  return {Ml2(settings, net, ml1_version), optimizer, had_optimizer, state};
}

}  // namespace mh::model
