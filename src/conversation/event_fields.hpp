#pragma once
/// Event fields declared once (session_events.cpp's tables): key, member and whether every
/// session has it. One declaration both writes the member and reads it back, so the serialiser
/// and the parser cannot disagree on a key or a type.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/errors.hpp"
#include "core/json_checks.hpp"

namespace mh::conversation::events::fields {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {
  using Value = T;
};
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

/// What a value must be, for error messages.
template <typename T>
const char* wanted() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  else if constexpr (std::is_same_v<T, std::uint64_t>) return "a non-negative integer";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else if constexpr (std::is_floating_point_v<T>) return "a number or null";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else if constexpr (std::is_same_v<T, nlohmann::json>) return "an object";
  else return "an array";
}

/// NaN, which JSON cannot hold, is written as null, as nlohmann::json would print it anyway.
template <typename T>
nlohmann::json encode(const T& v) {
  if constexpr (std::is_floating_point_v<T>) return number_or_null(v);
  else return nlohmann::json(v);
}

/// `j` as a T; false when it is not one (a float where an integer belongs, an int out of range).
template <typename T>
bool decode(const nlohmann::json& j, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return false;
    out = j.get<bool>();
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0)) return false;
    out = j.get<std::uint64_t>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return false;
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
      return false;
    }
    const auto v = j.get<std::int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (j.is_null()) out = std::numeric_limits<T>::quiet_NaN();
    else if (j.is_number()) out = j.get<T>();
    else return false;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return false;
    out = j.get<std::string>();
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    if (!j.is_object()) return false;
    out = j;
  } else {
    static_assert(IsVector<T>::value, "an event field is a number, a bool, a string, an object or a vector");
    if (!j.is_array()) return false;
    out.clear();
    for (const auto& item : j) {
      typename T::value_type v{};
      if (!decode(item, v)) return false;
      out.push_back(std::move(v));
    }
  }
  return true;
}

template <typename S>
struct Field {
  const char* key;
  bool always;  ///< every session has it (else its member is a std::optional, absent when empty)
  std::function<void(const S&, nlohmann::json&)> write;
  /// `value` is null when the key is absent; throws EventError naming `type` and the key.
  std::function<void(const nlohmann::json* value, S&, const char* type)> read;
};

template <typename S>
using Table = std::vector<Field<S>>;

[[noreturn]] inline void refuse(const char* type, const char* key, const char* what, const nlohmann::json* value) {
  throw EventError(value ? fmt::format("{} event: '{}' must be {}, got {}", type, key, what,
                                       value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                         : fmt::format("{} event: '{}' is missing", type, key));
}

/// A member every event of its type has, or (a std::optional) one that older sessions lack and
/// that is left out when empty.
template <typename S, typename T>
Field<S> field(const char* key, T S::*member) {
  if constexpr (IsOptional<T>::value) {
    using V = typename IsOptional<T>::Value;
    return {key, false,
            [=](const S& s, nlohmann::json& out) {
              if (s.*member) out[key] = encode(*(s.*member));
            },
            [=](const nlohmann::json* value, S& s, const char* type) {
              if (!value) return;
              V v{};
              if (!decode(*value, v)) refuse(type, key, wanted<V>(), value);
              s.*member = std::move(v);
            }};
  } else {
    return {key, true, [=](const S& s, nlohmann::json& out) { out[key] = encode(s.*member); },
            [=](const nlohmann::json* value, S& s, const char* type) {
              if (!value) refuse(type, key, wanted<T>(), nullptr);
              if (!decode(*value, s.*member)) refuse(type, key, wanted<T>(), value);
            }};
  }
}

/// A member every event of its type has, written as null when empty.
template <typename S, typename V>
Field<S> nullable(const char* key, std::optional<V> S::*member) {
  return {key, true,
          [=](const S& s, nlohmann::json& out) { out[key] = s.*member ? encode(*(s.*member)) : nlohmann::json(); },
          [=](const nlohmann::json* value, S& s, const char* type) {
            if (!value) refuse(type, key, wanted<V>(), nullptr);
            if (value->is_null()) {
              (s.*member).reset();
              return;
            }
            V v{};
            if (!decode(*value, v)) refuse(type, key, (std::string(wanted<V>()) + " or null").c_str(), value);
            s.*member = std::move(v);
          }};
}

}  // namespace mh::conversation::events::fields
