#pragma once
/// An agent is its folder: `agent.toml` (settings), `dataset/` (snippets with provenance),
/// `ml1.ckpt` (+ `ml1_history.jsonl`), and later song orders and ML2. Every file is written
/// atomically; a killed command leaves the folder as it was before the command.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

#include "agent/agent_settings.hpp"
#include "corpus/ingest.hpp"
#include "corpus/snippet_store.hpp"
#include "model/conv_vae.hpp"
#include "model/trainer.hpp"
#include "voice/voice.hpp"

namespace mh::agent {

/// "auto" → CUDA when available, else CPU. Throws SettingsError for "cuda" without a GPU.
torch::Device resolve_device(const std::string& name);

struct TrainOptions {
  int epochs = -1;          ///< < 0: the settings' epochs
  int64_t seed = -1;        ///< >= 0: overrides the settings' seed for a fresh run
  bool resume = false;      ///< continue from the saved checkpoint (same weights as uninterrupted)
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const model::TrainProgress&)> progress;
  std::function<void(const model::EpochRecord&)> epoch_end;
};

struct TrainOutcome {
  bool stopped = false;
  int64_t epochs_done = 0;
  double val_reconstruction = 0;  ///< last epoch's validation MSE (normalised units), NaN if none
};

class Agent {
 public:
  /// Makes a new agent folder. Throws DatasetError if `dir` already holds an agent.
  static Agent create(const std::filesystem::path& dir, const AgentSettings& settings);
  /// Opens an agent folder, checking its settings and dataset. Throws DatasetError / SettingsError.
  static Agent open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const AgentSettings& settings() const { return settings_; }
  const std::string& name() const { return settings_.name; }
  corpus::SnippetStore& dataset() { return *store_; }
  const corpus::SnippetStore& dataset() const { return *store_; }
  torch::Device device() const { return device_; }
  /// The device to use from now on (overrides the settings' `device` for this process).
  void set_device(torch::Device device);

  /// Adds human recordings; saves the report as reports/ingest-<n>.json and returns it.
  corpus::IngestReport ingest(const std::vector<std::filesystem::path>& inputs,
                              const corpus::IngestProgress& progress = {});

  /// Trains ML1 on the dataset's training songs, validating on its validation songs; writes
  /// ml1.ckpt at every epoch end and appends to ml1_history.jsonl. Throws DatasetError when
  /// there is nothing to train on, CheckpointError when resuming from a bad checkpoint.
  TrainOutcome train_ml1(const TrainOptions& options);

  bool has_ml1() const;
  /// The trained ML1 in eval mode on device(). Throws CheckpointError when there is none.
  model::ConvVae ml1() const;
  /// A short identity of the current ML1 checkpoint (changes whenever ML1 is retrained).
  std::string ml1_version() const;

  /// Cuts audio at the agent's rate into its snippets (no silence removal): [n, samples].
  torch::Tensor cut(const torch::Tensor& audio) const;
  /// audio at the agent's rate → normalised mel snippets [n, n_mels, frames].
  torch::Tensor mel_snippets(const torch::Tensor& audio) const;
  /// normalised mel [n, n_mels, frames] → ML1 means [n, latent_dim] on the CPU.
  torch::Tensor encode(const torch::Tensor& mel) const;
  voice::Voice voice() const;

  std::filesystem::path settings_path() const { return dir_ / "agent.toml"; }
  std::filesystem::path ml1_path() const { return dir_ / "ml1.ckpt"; }

 private:
  Agent(std::filesystem::path dir, AgentSettings settings, std::unique_ptr<corpus::SnippetStore> store);
  std::filesystem::path dir_;
  AgentSettings settings_;
  std::unique_ptr<corpus::SnippetStore> store_;
  torch::Device device_;
  mutable model::ConvVae ml1_cache_{nullptr};
  mutable std::string ml1_cache_version_;
};

}  // namespace mh::agent
