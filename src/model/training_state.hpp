#pragma once
/// What a trainer (ML1 or ML2) carries from one epoch, or one interrupted batch, to the next:
/// the position inside the current epoch, its running sums, the generator states and the
/// per-epoch history. Stored in checkpoints.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mh::model {

/// Everything but the history. batch_in_epoch > 0 means an epoch was interrupted after that
/// many batches; its shuffle is regenerated from epoch_shuffle_rng.
struct TrainingPosition {
  int64_t epochs_done = 0;
  int64_t batch_in_epoch = 0;
  int64_t train_size = 0;  ///< training items of the interrupted epoch (checked on resume)
  // Item-weighted sums over the batches done so far of an interrupted epoch.
  double sum_total = 0, sum_reconstruction = 0, sum_kl = 0, sum_stop = 0, seconds = 0;
  int64_t seen = 0;
  double max_kl = 0;  ///< largest batch KL so far in this epoch
  int64_t steps = 0;  ///< optimizer steps of the whole run (ML1's learning-rate warm-up counts them)
  /// States of the CPU generators (torch ByteTensors); they travel as tensors, not JSON.
  torch::Tensor shuffle_rng, sample_rng, epoch_shuffle_rng;

  /// Clears the running sums for the next epoch.
  void start_epoch();
  /// Gives a resuming trainer's generators the saved states (an undefined one leaves its
  /// generator as it is). Throws CheckpointError "<name>: bad generator state (...)".
  void restore_generators(torch::Generator& shuffle, torch::Generator& sample, const std::string& name) const;
};

/// `Record` is the model's epoch record. Its kStopLoss says which sums its checkpoints hold:
/// ML2's loss has a stop term (sum_stop); ML1's has none but keeps max_kl and steps. The keys
/// are those the two trainers wrote before they shared this type, so old checkpoints load.
template <class Record>
struct TrainingState : TrainingPosition {
  std::vector<Record> history;

  nlohmann::json to_json() const;
  /// Throws CheckpointError when a field is missing.
  static TrainingState from_json(const nlohmann::json& j);
};

}  // namespace mh::model
