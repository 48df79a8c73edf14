#pragma once
/// ML2 checkpoints as bytes, in the model checkpoint container (model/checkpoint_framing.hpp, kind
/// "ml2"): settings, input size, ML1 version and training state in the metadata; the model
/// (weights plus order statistics and latent prior buffers), optional Adam state and the
/// trainer's generator states in the payload.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <string_view>

#include "model/checkpoint_framing.hpp"
#include "model/ml2_model.hpp"
#include "model/training_state.hpp"

namespace mh::model {

inline constexpr const char* kMl2Kind = "ml2";

/// Adam with Keras' epsilon (1e-7) and betas (0.9, 0.999) over every parameter of `net`.
std::shared_ptr<torch::optim::Adam> make_ml2_adam(OrderModelImpl& net, double learning_rate);

/// `optimizer` may be null (an inference export); `state` may be default.
std::string save_ml2_checkpoint(const Ml2& model, const torch::optim::Adam* optimizer = nullptr,
                                const Ml2TrainingState& state = {});

struct LoadedMl2 {
  Ml2 model;
  /// Adam over model's parameters with settings.learning_rate and, when the checkpoint holds
  /// one, its saved state.
  std::shared_ptr<torch::optim::Adam> optimizer;
  bool had_optimizer_state = false;
  Ml2TrainingState state;
};

/// Rebuilds the model on `device`. Throws CheckpointError "<name>: <reason>" (one line) for a
/// foreign, truncated, corrupted, other-kind or inconsistent checkpoint.
LoadedMl2 load_ml2_checkpoint(std::string_view bytes, torch::Device device, const std::string& name = "checkpoint");

/// The model alone. Throws CheckpointError.
inline Ml2 load_ml2(std::string_view bytes, torch::Device device, const std::string& name = "checkpoint") {
  return load_ml2_checkpoint(bytes, device, name).model;
}

}  // namespace mh::model
