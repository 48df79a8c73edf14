#pragma once
/// Seeded CPU generators: every random stream of training lives on the CPU, whatever the
/// model's device, so a seed gives the same run on every device.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace mh::model {

inline torch::Generator cpu_generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

}  // namespace mh::model
