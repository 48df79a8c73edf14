#pragma once
/// Range checks for settings: every message names the field, the value and the allowed range.
#include <fmt/format.h>

#include <string>

#include "core/errors.hpp"

namespace mh {

template <typename T>
void check_range(const std::string& field, T value, T lo, T hi) {
  if (!(value >= lo && value <= hi)) {
    throw SettingsError(fmt::format("{} = {} is out of range: allowed [{}, {}]", field, value, lo, hi));
  }
}

template <typename T>
void check_min(const std::string& field, T value, T lo) {
  if (!(value >= lo)) {
    throw SettingsError(fmt::format("{} = {} is out of range: must be at least {}", field, value, lo));
  }
}

/// `field` must be one of `allowed` (a comma-separated list for the message).
inline void check_choice(const std::string& field, const std::string& value, bool ok,
                         const std::string& allowed) {
  if (!ok) throw SettingsError(fmt::format("{} = '{}' is not allowed: choose one of {}", field, value, allowed));
}

}  // namespace mh
