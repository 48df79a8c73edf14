#include "model/augment.hpp"

namespace mh::model {

torch::Tensor augment_snippets(const torch::Tensor& x, const Augmentation& a, torch::Generator& gen) {
  if (!a.active() || x.size(0) == 0) return x;
  const int64_t n = x.size(0), mels = x.size(2), frames = x.size(3);
  const auto rolls = torch::randint(a.time_roll ? frames : 1, {n}, gen, torch::kInt64);
  const auto shifts = torch::randint(-a.max_mel_shift, a.max_mel_shift + 1, {n}, gen, torch::kInt64);
  const auto* roll = rolls.data_ptr<int64_t>();
  const auto* shift = shifts.data_ptr<int64_t>();
  auto out = torch::empty_like(x);
  const auto bands = torch::arange(mels, torch::kInt64);
  for (int64_t i = 0; i < n; ++i) {
    auto s = x[i];
    if (roll[i] != 0) s = s.roll(roll[i], 2);
    if (shift[i] != 0) s = s.index_select(1, (bands - shift[i]).clamp(0, mels - 1));
    out[i].copy_(s);
  }
  return out;
}

}  // namespace mh::model
