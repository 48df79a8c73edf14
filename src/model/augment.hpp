#pragma once
/// Training-time augmentation of ML1's snippets. A corpus of a few hundred snippets is too small
/// for the model to learn notes rather than colour; shifted copies of the same music are new
/// examples: each snippet is rolled along time by a random number of frames and shifted along
/// the mel axis by up to ±max_mel_shift bands (edge bands repeated). It helped unseen cello music
/// after 45 epochs and hurt it after 30 (docs/ml1_quality.md), so it is an option, off by default.
#include <torch/torch.h>

namespace mh::model {

struct Augmentation {
  bool time_roll = false;
  int64_t max_mel_shift = 0;
  bool active() const { return time_roll || max_mel_shift > 0; }
};

/// x [B, 1, n_mels, frames] → augmented copy (x itself when nothing is active). Draws two
/// integers per snippet from `gen`.
torch::Tensor augment_snippets(const torch::Tensor& x, const Augmentation& augmentation, torch::Generator& gen);

}  // namespace mh::model
