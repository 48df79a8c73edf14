#pragma once
/// Guards for numbers read from JSON files. nlohmann::json converts a floating-point value to an
/// integer type with a plain cast, which is undefined behaviour when the value does not fit (a
/// corrupt file saying "n_mels": 1e300, or "seed": -5.0). Both throw nlohmann::json::out_of_range,
/// which the loaders already turn into their one-line errors.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace mh {

/// Throws nlohmann::json::out_of_range when any floating-point number in `doc` has a magnitude
/// of 2^31 or more, so that reading any float as int or int64 is defined. Members whose key is in
/// `float_only_keys` (a training history and sums of losses, which may spike) are skipped: they
/// are only ever read as doubles.
inline void check_json_numbers(const nlohmann::json& doc, const std::set<std::string>& float_only_keys = {}) {
  std::vector<const nlohmann::json*> pending{&doc};
  while (!pending.empty()) {
    const auto* j = pending.back();
    pending.pop_back();
    if (j->is_number_float()) {
      const double v = j->get<double>();
      if (!(std::fabs(v) < 2147483648.0)) {
        throw nlohmann::json::out_of_range::create(406, "number " + j->dump() + " is out of range", nullptr);
      }
    } else if (j->is_object()) {
      for (const auto& [key, child] : j->items()) {
        if (!float_only_keys.count(key)) pending.push_back(&child);
      }
    } else if (j->is_array()) {
      for (const auto& child : *j) pending.push_back(&child);
    }
  }
}

/// `j` as an unsigned 64-bit integer; throws nlohmann::json::type_error unless it is a
/// non-negative integer.
/// A finite number, or null: JSON has no NaN or infinity, and "not measured" reads as null.
inline nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

inline std::uint64_t json_uint64(const nlohmann::json& j) {
  if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0)) {
    throw nlohmann::json::type_error::create(302, "expected a non-negative integer, got " + j.dump(), nullptr);
  }
  return j.get<std::uint64_t>();
}

}  // namespace mh
