#include "conversation/human_share.hpp"

#include "corpus/manifest.hpp"

namespace mh::conversation {

double HumanShare::of_trained() const {
  return trained ? static_cast<double>(trained_human) / static_cast<double>(trained) : 1.0;
}

double HumanShare::of_dataset() const {
  return dataset ? static_cast<double>(dataset_human) / static_cast<double>(dataset) : 1.0;
}

HumanShare human_share(const corpus::Manifest& manifest) {
  HumanShare out;
  for (const auto& song : manifest.songs()) {
    const int64_t n = song.n_snippets();
    const bool human = song.provenance.depth == 0;
    out.dataset += n;
    out.dataset_human += human ? n : 0;
    if (song.provenance.split != corpus::Split::kTrain) continue;
    out.trained += n;
    out.trained_human += human ? n : 0;
  }
  return out;
}

}  // namespace mh::conversation
