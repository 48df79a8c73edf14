#pragma once
/// Model checkpoints as bytes (the caller writes them, e.g. with mh::write_file_atomic): the
/// framing both models' checkpoints share.
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

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/training_state.hpp"

namespace mh::model {

inline constexpr uint16_t kCheckpointVersion = 1;

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

/// Adam with Keras' epsilon (1e-7) and betas (0.9, 0.999).
std::shared_ptr<torch::optim::Adam> make_keras_adam(const std::vector<torch::Tensor>& parameters,
                                                    double learning_rate);

/// A trainer's checkpoint: `metadata` (plus "has_optimizer") in the header; the model, the
/// optimizer's state when there is one (null: an inference export) and the generator states
/// of `generators` in the payload.
std::string pack_training_checkpoint(const std::string& kind, nlohmann::json metadata, const torch::nn::Module& model,
                                     const torch::optim::Optimizer* optimizer, const TrainingPosition& generators);

/// Runs `read` over a checkpoint's metadata; the JSON, settings and checkpoint errors it throws
/// become one-line CheckpointErrors that name the file.
void read_checkpoint_metadata(const std::string& name, const std::function<void()>& read);

/// Throws CheckpointError "<name>: holds no optimizer state, ..." unless `had_optimizer_state`:
/// training cannot resume from an inference export.
void require_optimizer_state(bool had_optimizer_state, const std::string& name);

/// Fills `model` (already on `device`), `saved_optimizer` (when not null: the checkpoint holds
/// its state) and the generator states of `generators` from a payload written by
/// pack_training_checkpoint. Throws CheckpointError.
void load_training_payload(const std::string& payload, torch::Device device, const std::string& name,
                           torch::nn::Module& model, torch::optim::Optimizer* saved_optimizer,
                           TrainingPosition& generators);

}  // namespace mh::model
