#pragma once
/// Model checkpoints as bytes (the caller writes them, e.g. with mh::write_file_atomic).
///
/// Layout (integers little-endian):
///   "MHCKPT"                     6 bytes magic
///   u16 format version           kCheckpointVersion
///   u8  kind length, kind        e.g. "ml1"
///   u32 metadata length, JSON    settings, model options, training state
///   u64 payload length
///   u64 FNV-1a 64 checksum       of every byte before it and of the payload
///   payload                      a LibTorch archive (torch::serialize::OutputArchive)
/// Reading checks magic, version, lengths (the file must end exactly after the payload),
/// checksum and kind before LibTorch sees a byte, then every parameter's name and shape.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <string_view>

#include "model/conv_vae.hpp"
#include "model/ml1_settings.hpp"
#include "model/training_state.hpp"

namespace mh::model {

inline constexpr uint16_t kCheckpointVersion = 1;
inline constexpr const char* kMl1Kind = "ml1";

struct CheckpointBlob {
  std::string kind;
  nlohmann::json metadata;
  std::string payload;
};

/// The bytes of a LibTorch archive.
std::string archive_bytes(torch::serialize::OutputArchive& archive);

/// Frames `blob` with the header above.
std::string pack_checkpoint(const CheckpointBlob& blob);

/// Verifies and splits checkpoint bytes. Throws CheckpointError "<name>: <reason>" for a
/// foreign, truncated, corrupted, newer-version or other-kind file.
CheckpointBlob unpack_checkpoint(std::string_view bytes, const std::string& expected_kind,
                                 const std::string& name = "checkpoint");

/// Copies every parameter and buffer of `module` from `archive` (as written by Module::save)
/// after checking that each exists with the module's shape and dtype. Throws CheckpointError
/// "<name>: parameter <path> ..." otherwise; the module is untouched on failure.
void load_module_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                         const std::string& name);

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
