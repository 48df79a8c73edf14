#pragma once
/// Power ↔ decibels with librosa's conventions (ref: librosa.power_to_db / db_to_power), and the
/// fixed linear map of a dB range onto [0, 1] used for the network's inputs.
#include <torch/torch.h>

#include <optional>

namespace mh::dsp {

/// y = 10·log10(max(amin, |power|)) − 10·log10(max(amin, |ref|)); then, when top_db is set,
/// y = max(y, max(y) − top_db) with the max taken PER ITEM: over the last two dimensions
/// (each [n_mels, frames] snippet of a batch on its own, as the original applied librosa's
/// power_to_db per snippet; a 1-D or 2-D input is one item). Same shape and floating dtype as
/// `power` (integer inputs become float32). top_db = 0 sets every value to the item's max, as in
/// librosa. Throws SettingsError when amin <= 0 or top_db < 0.
torch::Tensor power_to_db(const torch::Tensor& power, double ref = 1.0, double amin = 1e-10,
                          std::optional<double> top_db = 80.0);

/// As power_to_db with ref = each item's own maximum |power| (librosa's ref=np.max), so every
/// item peaks at 0 dB.
torch::Tensor power_to_db_max_ref(const torch::Tensor& power, double amin = 1e-10,
                                  std::optional<double> top_db = 80.0);

/// ref · 10^(db/10), the inverse of power_to_db where no floor applied (ref: librosa.db_to_power).
torch::Tensor db_to_power(const torch::Tensor& db, double ref = 1.0);

/// (db − db_floor) / (db_ceiling − db_floor): db_floor ↦ 0, db_ceiling ↦ 1; values outside the
/// range map outside [0, 1] (no clipping). Throws SettingsError unless db_ceiling > db_floor.
torch::Tensor normalise_db(const torch::Tensor& db, double db_floor = -100, double db_ceiling = 100);
/// x·(db_ceiling − db_floor) + db_floor, the inverse of normalise_db. Throws like normalise_db.
torch::Tensor denormalise_db(const torch::Tensor& normalised, double db_floor = -100, double db_ceiling = 100);

}  // namespace mh::dsp
