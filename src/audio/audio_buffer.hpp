#pragma once
/// Decoded audio as the rest of the program sees it: one mono channel of float32 samples.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mh::audio {

struct AudioBuffer {
  torch::Tensor samples;  ///< [samples] float32 mono, on the CPU, nominally in [-1, 1]
  int sample_rate_hz = 0;
  /// Problems that did not stop decoding (a file shorter than its header says, samples beyond
  /// full scale). One plain sentence each, starting with the file path; the caller logs them.
  std::vector<std::string> warnings;

  double duration_s() const {
    return sample_rate_hz > 0 && samples.defined() ? static_cast<double>(samples.numel()) / sample_rate_hz : 0.0;
  }
};

}  // namespace mh::audio
