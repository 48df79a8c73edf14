#pragma once
/// Small text helpers shared by the parts of the report page.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

namespace mh::report {

/// j[key] as text: strings as they are, other values as JSON, `fallback` when absent or null.
inline std::string str_of(const nlohmann::json& j, const char* key, const std::string& fallback = {}) {
  if (!j.is_object() || !j.contains(key)) return fallback;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return fallback;
  return v.dump();
}

/// Percent-encodes a relative path for a URL, keeping '/' between its parts.
inline std::string url_path(const std::string& path) {
  std::string out;
  for (const unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace mh::report
