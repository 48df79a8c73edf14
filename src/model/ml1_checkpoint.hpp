#pragma once
/// ML1 checkpoints as bytes, in the model checkpoint framing (model/checkpoint_framing.hpp,
/// kind "ml1"): settings, model options and training state in the metadata; the model, optional
/// Adam state and the trainer's generator states in the payload.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <string_view>

#include "model/checkpoint_framing.hpp"
#include "model/conv_vae.hpp"
#include "model/ml1_settings.hpp"
#include "model/training_state.hpp"

namespace mh::model {

inline constexpr const char* kMl1Kind = "ml1";

/// ML1 checkpoint: settings and options in the metadata (and "batch_norm": "recalibrated": the
/// trainer re-estimates the statistics before every save), model, optional Adam state and the
/// trainer's generator states in the payload. `optimizer` may be null (inference export).
std::string save_ml1_checkpoint(const Ml1Settings& settings, const ConvVae& model,
                                const torch::optim::Adam* optimizer, const Ml1TrainingState& state);

struct LoadedMl1 {
  Ml1Settings settings;
  ConvVae model{nullptr};
  /// Adam over model's parameters with settings.learning_rate and, when the checkpoint holds
  /// one, its saved state.
  std::shared_ptr<torch::optim::Adam> optimizer;
  bool had_optimizer_state = false;
  /// False for checkpoints written before the trainer re-estimated the BatchNorm statistics
  /// (batch_norm_calibration.hpp): their eval-mode model sings noise until recalibrated.
  bool batch_norm_recalibrated = false;
  Ml1TrainingState state;
};

/// Rebuilds the model on `device` from the checkpoint. Throws CheckpointError.
LoadedMl1 load_ml1_checkpoint(std::string_view bytes, torch::Device device,
                              const std::string& name = "checkpoint");

/// Adam with Keras' epsilon (1e-7) and betas (0.9, 0.999).
std::shared_ptr<torch::optim::Adam> make_adam(const ConvVae& model, double learning_rate);

}  // namespace mh::model
