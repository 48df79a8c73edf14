#include "dsp/db.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/errors.hpp"

namespace mh::dsp {
namespace {

void check_db_arguments(double amin, std::optional<double> top_db) {
  if (!(amin > 0)) {
    throw SettingsError(fmt::format("power_to_db: amin = {} is out of range: must be above 0", amin));
  }
  if (top_db && !(*top_db >= 0)) {
    throw SettingsError(fmt::format("power_to_db: top_db = {} is out of range: must be at least 0", *top_db));
  }
}

void check_db_range(double db_floor, double db_ceiling) {
  if (!(db_ceiling > db_floor) || !std::isfinite(db_floor) || !std::isfinite(db_ceiling)) {
    throw SettingsError(fmt::format("db_ceiling = {} is out of range: must be finite and above db_floor = {}",
                                    db_ceiling, db_floor));
  }
}

torch::Tensor as_floating(const torch::Tensor& x) {
  return x.is_floating_point() ? x : x.to(torch::kFloat32);
}

/// Per-item maximum, broadcastable against x: over the last two dims (the whole tensor for <= 2-D).
torch::Tensor item_max(const torch::Tensor& x) {
  if (x.dim() <= 2) return x.max();
  return x.amax({-2, -1}, /*keepdim=*/true);
}

/// 10·log10(max(amin, |x|)) into a new tensor.
torch::Tensor log_power(const torch::Tensor& power, double amin) {
  auto y = as_floating(power).abs();
  return y.clamp_min_(amin).log10_().mul_(10.0);
}

torch::Tensor apply_top_db(torch::Tensor y, std::optional<double> top_db) {
  if (!top_db || y.numel() == 0) return y;
  return torch::maximum(y, item_max(y) - *top_db);
}

}  // namespace

torch::Tensor power_to_db(const torch::Tensor& power, double ref, double amin, std::optional<double> top_db) {
  check_db_arguments(amin, top_db);
  auto y = log_power(power, amin);
  const double ref_db = 10.0 * std::log10(std::max(amin, std::abs(ref)));
  if (ref_db != 0.0) y.sub_(ref_db);
  return apply_top_db(std::move(y), top_db);
}

torch::Tensor power_to_db_max_ref(const torch::Tensor& power, double amin, std::optional<double> top_db) {
  check_db_arguments(amin, top_db);
  auto y = log_power(power, amin);
  if (y.numel() == 0) return y;
  // log10 is monotonic, so 10·log10(max(amin, max|x|)) is the max of the log powers.
  y = y - item_max(y);
  return apply_top_db(std::move(y), top_db);
}

torch::Tensor db_to_power(const torch::Tensor& db, double ref) {
  auto p = torch::pow(10.0, as_floating(db) * 0.1);
  return ref == 1.0 ? p : p.mul_(ref);
}

torch::Tensor normalise_db(const torch::Tensor& db, double db_floor, double db_ceiling) {
  check_db_range(db_floor, db_ceiling);
  return (as_floating(db) - db_floor) / (db_ceiling - db_floor);
}

torch::Tensor denormalise_db(const torch::Tensor& normalised, double db_floor, double db_ceiling) {
  check_db_range(db_floor, db_ceiling);
  return as_floating(normalised) * (db_ceiling - db_floor) + db_floor;
}

}  // namespace mh::dsp
