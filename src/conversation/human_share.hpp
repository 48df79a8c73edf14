#pragma once
/// How human an agent's dataset still is, counted two ways. Emancipation is decided on what
/// the agent trains on; the whole dataset also holds the held-out validation and reference songs,
/// which no dream ever draws, so counting them would put t* late.
#include <cstdint>

namespace mh::corpus {
class Manifest;
}

namespace mh::conversation {

struct HumanShare {
  int64_t trained_human = 0;  ///< snippets of lineage depth 0 on the training split
  int64_t trained = 0;        ///< all snippets on the training split
  int64_t dataset_human = 0;  ///< snippets of lineage depth 0, every split
  int64_t dataset = 0;        ///< all snippets, every split
  /// trained_human / trained (1 when there is nothing to train on): the share that decides t*.
  double of_trained() const;
  /// dataset_human / dataset (1 for an empty dataset), held-out songs included.
  double of_dataset() const;
};

/// Counts the manifest's snippets by split and lineage depth.
HumanShare human_share(const corpus::Manifest& manifest);

}  // namespace mh::conversation
