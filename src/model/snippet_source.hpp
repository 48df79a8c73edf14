#pragma once
/// Where the ML1 trainer gets its snippets: an abstract indexable store, so the dataset can
/// live in memory, in a memory-mapped file or be decoded on demand.
#include <torch/torch.h>

#include <vector>

namespace mh::model {

class SnippetSource {
 public:
  virtual ~SnippetSource() = default;
  /// Number of snippets.
  virtual int64_t size() const = 0;
  /// Snippets at `indices` (each in [0, size())) as [B, 1, n_mels, frames] float32 on any
  /// device (the trainer moves them). Throws DatasetError for a bad index.
  virtual torch::Tensor batch(const std::vector<int64_t>& indices) const = 0;
};

/// All snippets in one tensor [N, 1, n_mels, frames] (float32, values in [0, 1]).
class InMemorySnippetSource : public SnippetSource {
 public:
  /// Throws ShapeError unless `snippets` is 4-D float32 with one channel.
  explicit InMemorySnippetSource(torch::Tensor snippets);
  int64_t size() const override { return snippets_.size(0); }
  torch::Tensor batch(const std::vector<int64_t>& indices) const override;

 private:
  torch::Tensor snippets_;
};

}  // namespace mh::model
