#pragma once
/// Settings fields declared once: name, meaning, allowed range and place in the struct. A table
/// of them validates a struct, reads it from TOML, writes it back and describes it, so a new
/// field is one line instead of one line in each of those.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <string>
#include <variant>
#include <vector>

#include "core/check.hpp"
#include "core/toml_section.hpp"

namespace mh {

template <typename S>
struct Field {
  const char* name;
  const char* doc;
  std::variant<int S::*, double S::*, bool S::*, std::string S::*> member;
  double lo = 0, hi = 0;  ///< numbers: the allowed range [lo, hi]
};

template <typename S>
using FieldTable = std::vector<Field<S>>;

/// Throws SettingsError naming `prefix` + the field, the value and the allowed range.
template <typename S>
void validate_fields(const FieldTable<S>& table, const S& s, const std::string& prefix) {
  for (const auto& f : table) {
    const std::string name = prefix + f.name;
    if (const auto* m = std::get_if<int S::*>(&f.member)) {
      check_range(name, s.**m, static_cast<int>(f.lo), static_cast<int>(f.hi));
    } else if (const auto* d = std::get_if<double S::*>(&f.member)) {
      check_range(name, s.**d, f.lo, f.hi);
    }
  }
}

/// Reads every field the section holds (absent ones keep their value).
template <typename S>
void read_fields(const FieldTable<S>& table, TomlSection& section, S& s) {
  for (const auto& f : table) std::visit([&](auto m) { section.read(f.name, s.*m); }, f.member);
}

template <typename S>
void write_fields(const FieldTable<S>& table, const S& s, toml::table& out) {
  for (const auto& f : table) std::visit([&](auto m) { out.insert_or_assign(f.name, s.*m); }, f.member);
}

/// One line per field: "name = default  # doc [lo, hi]", for --print-settings and the docs.
template <typename S>
std::string describe_fields(const FieldTable<S>& table, const S& defaults, const std::string& prefix) {
  std::string out;
  for (const auto& f : table) {
    std::string value, range;
    std::visit(
        [&](auto m) {
          using T = std::decay_t<decltype(defaults.*m)>;
          if constexpr (std::is_same_v<T, std::string>) {
            value = fmt::format("\"{}\"", defaults.*m);
          } else if constexpr (std::is_same_v<T, bool>) {
            value = defaults.*m ? "true" : "false";
          } else {
            value = fmt::format("{}", defaults.*m);
            range = fmt::format(" [{}, {}]", static_cast<T>(f.lo), static_cast<T>(f.hi));
          }
        },
        f.member);
    out += fmt::format("{}{} = {}  # {}{}\n", prefix, f.name, value, f.doc, range);
  }
  return out;
}

}  // namespace mh
