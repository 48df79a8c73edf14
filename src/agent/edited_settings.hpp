#pragma once
/// Edits of agent.toml's [ml1] and [ml2] after a model's first training. A fresh run takes every
/// key from agent.toml. A continued run (`train --resume`, dreams) starts from the checkpoint:
/// it takes learning_rate, batch_size and epochs from agent.toml, and keeps the checkpoint's
/// value of every other key, since those shape the model's layers, its loss, the course of its
/// learning rate, its augmentation or its sampling, and a change within a run would mix two.
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "model/ml1_settings.hpp"
#include "model/ml1_trainer.hpp"
#include "model/ml2_settings.hpp"
#include "model/ml2_trainer.hpp"

namespace mh::agent {

/// A key whose value in agent.toml differs from the one saved in the model's checkpoint.
struct EditedSetting {
  std::string key;      ///< as in its table: "latent_dim"
  std::string in_file;  ///< agent.toml's value, written as in TOML
  std::string saved;    ///< the checkpoint's value
  bool applies = false; ///< a continued run takes agent.toml's value
};

/// The keys of [ml1] / [ml2] a continued run takes from agent.toml.
bool applies_when_continued(const std::string& key);

/// Every key of the table that differs, in the table's order. Left out: validation_fraction (the
/// dataset's split decides it) and seed (it seeds fresh runs only).
std::vector<EditedSetting> edited_settings(const model::Ml1Settings& saved, const model::Ml1Settings& in_file);
std::vector<EditedSetting> edited_settings(const model::Ml2Settings& saved, const model::Ml2Settings& in_file);

/// The agent's saved model for `stage` against its agent.toml; empty without a checkpoint.
/// Throws CheckpointError for a corrupt one.
std::vector<EditedSetting> edited_settings(const Agent& agent, TrainStage stage);

/// "" when every edit applies, else one line: "<name>: agent.toml's [ml1] latent_dim = 16 is
/// not used by ml1.ckpt, which keeps latent_dim = 8: ...".
std::string unused_edits_line(const Agent& agent, TrainStage stage, const std::vector<EditedSetting>& edits);

/// A resumed trainer takes agent.toml's learning_rate, batch_size (from its next whole epoch)
/// and epochs. Throws SettingsError.
void apply_edits(model::Ml1Trainer& trainer, const model::Ml1Settings& in_file);
void apply_edits(model::Ml2Trainer& trainer, const model::Ml2Settings& in_file);

}  // namespace mh::agent
