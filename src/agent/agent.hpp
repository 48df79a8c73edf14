#pragma once
/// An agent is its folder: `agent.toml` (settings), `dataset/` (snippets with provenance),
/// `ml1.ckpt` (+ `ml1_history.jsonl`), `orders.bin` (the song orders of the current ML1) and
/// `ml2.ckpt` (+ `ml2_history.jsonl`); `ml1_train_set.json` / `ml2_train_set.json` name the
/// training set of the current run. Every file is written atomically; a killed command leaves the
/// folder as it was before the command.
#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "agent/agent_settings.hpp"
#include "corpus/ingest.hpp"
#include "corpus/snippet_store.hpp"
#include "model/ml1_checkpoint.hpp"
#include "model/conv_vae.hpp"
#include "model/ml2_model.hpp"
#include "model/ml2_trainer.hpp"
#include "model/song_order.hpp"
#include "model/ml1_trainer.hpp"
#include "voice/voice.hpp"

namespace mh::agent {

/// "auto" → CUDA when available, else CPU. Throws SettingsError for "cuda" without a GPU.
torch::Device resolve_device(const std::string& name);

/// The model a training call trains.
enum class TrainStage { kMl1, kMl2 };

/// How to run train / train_ml1 / train_ml2. Without resume or continue_training a run starts afresh.
struct TrainOptions {
  /// < 0: the settings' epochs. Fresh run: the epoch target. resume: the target becomes the epochs
  /// done plus this. continue_training: this many more epochs.
  int epochs = -1;
  int64_t seed = -1;        ///< >= 0: overrides the settings' seed for a fresh run
  /// Continue the saved run as if it had never stopped: same training set (the run's recorded
  /// one), same weights as an uninterrupted run. Without a checkpoint: a fresh run.
  bool resume = false;
  /// Start from the saved checkpoint's weights, optimizer and generators and train `epochs` more
  /// epochs on the training set given now; an epoch the checkpoint was interrupted in is first
  /// finished on the set it began with (not counted in `epochs`). Without a checkpoint: a fresh
  /// run of `epochs` epochs. ML2 continues even when ML1 changed since (it then adopts the
  /// current orders; its normalising statistics stay those of its first training).
  bool continue_training = false;
  /// ML1 only: dataset item ids to train on instead of the training split (repeats allowed).
  std::optional<std::vector<int64_t>> train_items;
  /// ML2 only: dataset song ids to train on instead of the training split's songs.
  std::optional<std::vector<int64_t>> train_songs;
  /// ML1 only, parallel to train_items: 0 or 1 per item; every batch then holds the two in the
  /// proportion of the whole set (model::TrainerCallbacks::strata).
  std::vector<std::uint8_t> train_strata;
  int batch_size = 0;  ///< ML1 only, > 0: the batch size from the next epoch on
  double learning_rate = 0;  ///< ML1 only, > 0: the learning rate from the next step on (saved)
  /// Stops training after the step (ML1) or epoch (ML2) that passes it, at least one being
  /// done; the state is saved as at an epoch end (TrainOutcome::out_of_time).
  std::optional<SteadyClock::time_point> deadline;
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const model::TrainProgress&)> progress;        ///< ML1, after each batch
  std::function<void(const model::EpochRecord&)> epoch_end;         ///< ML1, after each epoch
  std::function<void(const model::Ml2TrainProgress&)> ml2_progress;  ///< ML2, after each batch
  std::function<void(const model::Ml2EpochRecord&)> ml2_epoch_end;   ///< ML2, after each epoch
  /// Data-parallel training (model/distributed.hpp): this process trains on its part of every
  /// batch; only rank 0 writes the checkpoint, history and training-set record.
  model::GradientSync* sync = nullptr;
};

struct TrainOutcome {
  bool stopped = false;
  bool out_of_time = false;       ///< the deadline ended training (saved; not a stop)
  int64_t epochs_done = 0;        ///< finished epochs of the saved run, all calls together
  int64_t epochs_this_call = 0;   ///< of which this call finished (a cut-short one included)
  double val_reconstruction = std::nan("");  ///< last epoch's validation MSE (normalised units), NaN if none
  /// ML1: the baselines of val_reconstruction (model::ValidationFigures), NaN if none.
  double val_mean_snippet = std::nan(""), val_time_flat = std::nan("");
};

class Agent {
 public:
  /// Makes a new agent folder. Throws DatasetError if `dir` already holds an agent.
  static Agent create(const std::filesystem::path& dir, const AgentSettings& settings);
  /// Opens an agent folder, checking its settings and dataset. Throws InputError when `dir` does
  /// not exist or holds no agent.toml, DatasetError / SettingsError for a broken agent.
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

  /// Trains ML1 on the dataset's training songs (or options.train_items), validating on its
  /// validation songs; writes ml1.ckpt at every epoch end (and when stopped) and appends to
  /// ml1_history.jsonl. Throws DatasetError when there is nothing to train on or an item id is
  /// out of range, CheckpointError when continuing from a bad checkpoint, SettingsError when
  /// resume and continue_training are both set.
  TrainOutcome train_ml1(const TrainOptions& options) { return train(TrainStage::kMl1, options); }

  /// Trains ML1 (train_ml1) or ML2 (train_ml2). Throws as they do.
  TrainOutcome train(TrainStage which, const TrainOptions& options);

  bool has_ml1() const;
  /// The trained ML1 in eval mode on device(). Throws CheckpointError when there is none.
  model::ConvVae ml1() const;
  /// A short identity of the current ML1 checkpoint (changes whenever ML1 is retrained).
  std::string ml1_version() const;

  /// The orders of every song of the dataset (every split; index = song id, song_ids hold the
  /// ids as text): the ML1 means of its snippets in song order, [T_i, D] float32 on the CPU.
  /// Cached in orders.bin with the ML1 version: recomputed when ML1 changed, extended when songs
  /// were added. Throws CheckpointError without ML1, DatasetError for a corrupt orders.bin
  /// (naming it; deleting it makes the orders be recomputed).
  model::SongOrders song_orders();
  /// The order of one song: [T, D] float32 on the CPU. Throws DatasetError for an unknown song.
  torch::Tensor song_order(int64_t song_id);

  /// Trains ML2 on the orders of the training split's songs (or options.train_songs), validating
  /// on the validation split's; writes ml2.ckpt at every epoch end (and when stopped) and
  /// appends to ml2_history.jsonl. The model records the ML1 version of its orders. Throws
  /// DatasetError (nothing to train on, a bad song id, an order longer than ml2.max_length,
  /// resuming a run whose orders came from another ML1), CheckpointError, SettingsError as
  /// train_ml1.
  TrainOutcome train_ml2(const TrainOptions& options) { return train(TrainStage::kMl2, options); }

  bool has_ml2() const;
  /// The trained ML2 in eval mode on device(). Throws CheckpointError when there is none or the
  /// checkpoint is corrupt (naming ml2.ckpt).
  model::Ml2 ml2() const;
  /// A short identity of the current ML2 checkpoint ("" without one).
  std::string ml2_version() const;
  /// True when ML2 exists and was trained on orders of the current ML1.
  bool ml2_is_current() const;

  /// n machine songs: ML2 orders sampled with `gen` (lengths decoded by the model, or drawn by
  /// the autoregressive preset, within the trained range), as ML1 latents [T_i, D] float32 on the
  /// CPU, ready for voice().sing. seconds > 0 asks for round(seconds / snippet seconds) snippets
  /// (at least 1): up to the model's longest_song() it composes exactly that many steps in one
  /// piece (the trained range for a decoder of whole songs, ml2.max_length for the
  /// autoregressive preset); beyond it a song is continued with further sampled songs, one after
  /// another, and the last is cut at the target.
  /// temperature > 0 replaces the autoregressive preset's sampling temperature for this call.
  /// Same generator state ⇒ same songs. Throws SettingsError for n outside [1, 10000], seconds
  /// outside [0, 86400], temperature outside [0, 10] or given to another preset; CheckpointError
  /// without ML2 or when ML2 was trained on another ML1.
  std::vector<torch::Tensor> compose(int n, double seconds, torch::Generator& gen, double temperature = 0);
  /// `steps` ≥ 2 orders between songs a and b (ML2 latents evenly spaced from a's to b's, both
  /// included; the autoregressive preset blends the two orders themselves), as ML1 latents
  /// [T_i, D] on the CPU. Throws as compose and song_order.
  std::vector<torch::Tensor> interpolate_songs(int64_t song_a, int64_t song_b, int steps);
  /// Length of one snippet in seconds.
  double snippet_seconds() const;

  /// Cuts audio at the agent's rate into its snippets (no silence removal): [n, samples].
  torch::Tensor cut(const torch::Tensor& audio) const;
  /// audio at the agent's rate → normalised mel snippets [n, n_mels, frames].
  torch::Tensor mel_snippets(const torch::Tensor& audio) const;
  /// normalised mel [n, n_mels, frames] → ML1 means [n, latent_dim] on the CPU.
  torch::Tensor encode(const torch::Tensor& mel) const;
  voice::Voice voice() const;

  std::filesystem::path settings_path() const { return dir_ / "agent.toml"; }
  std::filesystem::path ml1_path() const { return dir_ / "ml1.ckpt"; }
  std::filesystem::path orders_path() const { return dir_ / "orders.bin"; }
  std::filesystem::path ml2_path() const { return dir_ / "ml2.ckpt"; }

 private:
  Agent(std::filesystem::path dir, AgentSettings settings, std::unique_ptr<corpus::SnippetStore> store);
  std::filesystem::path dir_;
  AgentSettings settings_;
  std::unique_ptr<corpus::SnippetStore> store_;
  torch::Device device_;
  TrainOutcome run_ml1(const TrainOptions& options);
  TrainOutcome run_ml2(const TrainOptions& options);
  struct SavedModel {
    std::string bytes, version;  ///< version: see ml1_version / ml2_version
  };
  /// The stage's checkpoint. Throws CheckpointError telling how to train it when there is none.
  SavedModel read_saved(TrainStage stage) const;
  /// Re-estimates an old checkpoint's BatchNorm statistics from its training snippets and saves it.
  void recalibrate_saved_ml1(model::LoadedMl1& loaded) const;
  /// Throws CheckpointError unless ML2 exists and matches the current ML1; returns it.
  model::Ml2 current_ml2() const;

  mutable model::ConvVae ml1_cache_{nullptr};
  mutable std::string ml1_cache_version_;
  mutable std::shared_ptr<model::Ml2> ml2_cache_;
  mutable std::string ml2_cache_version_;
  std::optional<model::SongOrders> orders_cache_;
};

}  // namespace mh::agent
