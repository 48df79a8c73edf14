#include "model/snippet_source.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace mh::model {

InMemorySnippetSource::InMemorySnippetSource(torch::Tensor snippets) : snippets_(std::move(snippets)) {
  if (snippets_.dim() != 4 || snippets_.size(1) != 1 || snippets_.scalar_type() != torch::kFloat32) {
    std::string shape = "[";
    for (int64_t i = 0; i < snippets_.dim(); ++i) shape += (i ? ", " : "") + std::to_string(snippets_.size(i));
    throw ShapeError(fmt::format("snippets: got {} {}, expected [N, 1, n_mels, frames] Float", shape + "]",
                                 c10::toString(snippets_.scalar_type())));
  }
  snippets_ = snippets_.contiguous();
}

torch::Tensor InMemorySnippetSource::batch(const std::vector<int64_t>& indices) const {
  for (const auto i : indices) {
    if (i < 0 || i >= size()) throw DatasetError(fmt::format("snippet index {} out of range [0, {})", i, size()));
  }
  const auto idx = torch::tensor(indices, torch::dtype(torch::kInt64));
  return snippets_.index_select(0, idx.to(snippets_.device()));
}

}  // namespace mh::model
