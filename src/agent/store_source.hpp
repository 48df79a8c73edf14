#pragma once
/// Lets the ML1 trainer read batches straight from an agent's snippet store (pread per batch),
/// so a large corpus trains in bounded memory.
#include "corpus/snippet_store.hpp"
#include "model/snippet_source.hpp"

namespace mh::agent {

class StoreSource : public model::SnippetSource {
 public:
  explicit StoreSource(const corpus::SnippetStore& store) : store_(store) {}
  int64_t size() const override { return store_.size(); }
  torch::Tensor batch(const std::vector<int64_t>& indices) const override { return store_.read(indices); }

 private:
  const corpus::SnippetStore& store_;
};

}  // namespace mh::agent
