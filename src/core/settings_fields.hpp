#pragma once
/// Settings fields declared once: name, meaning, allowed values and place in the struct. A table
/// of them validates a struct, reads it from TOML, writes it back, describes it and carries it
/// through JSON, so a new field is one line instead of one line in each of those.
///
/// A table covers one struct; a TOML table that also holds a nested struct's fields (the [mel]
/// table holds the STFT's) is read by both tables from the same TomlSection, then
/// reject_unknown_keys() once. Checks that relate fields (fmin_hz < fmax_hz) stay explicit, after
/// the table's: a field whose bounds depend on another declares no range and says it in its doc.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/check.hpp"
#include "core/enum_words.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"
#include "core/toml_section.hpp"

namespace mh {

/// A field written as one of a few words: an enum, or a string with a fixed set of values.
template <typename S>
struct Words {
  std::vector<std::string> allowed;
  std::function<std::string(const S&)> get;
  std::function<bool(S&, const std::string&)> set;  ///< false (and `S` unchanged) for a word not allowed
};

/// A string member that must be one of `allowed`.
template <typename S>
Words<S> one_of(std::string S::*member, std::vector<std::string> allowed) {
  return {allowed, [member](const S& s) { return s.*member; },
          [member, allowed](S& s, const std::string& word) {
            if (std::find(allowed.begin(), allowed.end(), word) == allowed.end()) return false;
            s.*member = word;
            return true;
          }};
}

/// An enum member written as words: each value with its word.
template <typename S, typename E>
Words<S> enum_words(E S::*member, std::vector<std::pair<E, std::string>> words) {
  std::vector<std::string> allowed;
  for (const auto& w : words) allowed.push_back(w.second);
  return {allowed,
          [member, words](const S& s) {
            for (const auto& w : words) {
              if (w.first == s.*member) return w.second;
            }
            return std::string("?");
          },
          [member, words](S& s, const std::string& word) {
            for (const auto& w : words) {
              if (w.second == word) {
                s.*member = w.first;
                return true;
              }
            }
            return false;
          }};
}

/// An enum member written with the words of its core/enum_words.hpp table, the one its
/// to_string / parse functions read too.
template <typename S, typename E, size_t N>
Words<S> enum_words(E S::*member, const EnumWords<E, N>& table) {
  std::vector<std::pair<E, std::string>> words;
  for (const auto& [word, value] : table) words.emplace_back(value, word);
  return enum_words(member, std::move(words));
}

/// Which ends of [lo, hi] a value may not take (amin > 0: its log would be −∞).
enum class Open { kNeither, kLo, kHi, kBoth };

template <typename S>
struct Field {
  const char* name;  ///< as the user writes it in the TOML table
  const char* doc;
  std::variant<int S::*, std::int64_t S::*, std::uint64_t S::*, double S::*, bool S::*, std::string S::*, Words<S>>
      member;
  double lo = 0, hi = -1;  ///< numbers: the allowed range; none when hi < lo (seeds, or bounds set by other fields)
  Open open = Open::kNeither;
};

template <typename S>
using FieldTable = std::vector<Field<S>>;

namespace settings_fields_detail {

inline std::string joined(const std::vector<std::string>& words) { return fmt::format("{}", fmt::join(words, ", ")); }

inline bool open_lo(Open o) { return o == Open::kLo || o == Open::kBoth; }
inline bool open_hi(Open o) { return o == Open::kHi || o == Open::kBoth; }

/// "[lo, hi]", "(lo, hi]", ... with the bounds printed as the field's type.
template <typename T, typename S>
std::string range_text(const Field<S>& f) {
  return fmt::format("{}{}, {}{}", open_lo(f.open) ? "(" : "[", static_cast<T>(f.lo), static_cast<T>(f.hi),
                     open_hi(f.open) ? ")" : "]");
}

template <typename T, typename S>
bool in_range(const Field<S>& f, T v) {
  const T lo = static_cast<T>(f.lo), hi = static_cast<T>(f.hi);
  return (open_lo(f.open) ? v > lo : v >= lo) && (open_hi(f.open) ? v < hi : v <= hi);  // false for NaN
}

/// Calls fn(field, member) for every field of the table, member as the variant holds it.
template <typename S, typename Fn>
void for_each_field(const FieldTable<S>& table, Fn&& fn) {
  for (const auto& f : table) std::visit([&](const auto& m) { fn(f, m); }, f.member);
}

template <typename S, typename M>
constexpr bool is_words = std::is_same_v<std::decay_t<M>, Words<S>>;

}  // namespace settings_fields_detail

/// Throws SettingsError naming `prefix` + the field, the value and what is allowed.
template <typename S>
void validate_fields(const FieldTable<S>& table, const S& s, const std::string& prefix) {
  namespace d = settings_fields_detail;
  d::for_each_field(table, [&](const Field<S>& f, const auto& m) {
    if constexpr (d::is_words<S, decltype(m)>) {
      const std::string word = m.get(s);
      const bool ok = std::find(m.allowed.begin(), m.allowed.end(), word) != m.allowed.end();
      check_choice(prefix + f.name, word, ok, d::joined(m.allowed));
    } else {
      using T = std::decay_t<decltype(s.*m)>;
      if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (f.lo <= f.hi && !d::in_range<T>(f, s.*m)) {
          throw SettingsError(
              fmt::format("{}{} = {} is out of range: allowed {}", prefix, f.name, s.*m, d::range_text<T>(f)));
        }
      }
    }
  });
}

/// Reads every field the section holds (absent ones keep their value); a word outside a field's
/// choices is an error listing them.
template <typename S>
void read_fields(const FieldTable<S>& table, TomlSection& section, S& s) {
  namespace d = settings_fields_detail;
  d::for_each_field(table, [&](const Field<S>& f, const auto& m) {
    if constexpr (d::is_words<S, decltype(m)>) {
      const std::string before = m.get(s);
      std::string word = before;
      section.read(f.name, word);
      if (word != before && !m.set(s, word)) check_choice(section.key_name(f.name), word, false, d::joined(m.allowed));
    } else {
      section.read(f.name, s.*m);
    }
  });
}

template <typename S>
void write_fields(const FieldTable<S>& table, const S& s, toml::table& out) {
  namespace d = settings_fields_detail;
  d::for_each_field(table, [&](const Field<S>& f, const auto& m) {
    if constexpr (d::is_words<S, decltype(m)>) {
      out.insert_or_assign(f.name, m.get(s));
    } else if constexpr (std::is_same_v<std::decay_t<decltype(s.*m)>, std::uint64_t>) {
      out.insert_or_assign(f.name, static_cast<std::int64_t>(s.*m));  // TOML integers are signed
    } else {
      out.insert_or_assign(f.name, s.*m);
    }
  });
}

template <typename S>
nlohmann::json fields_to_json(const FieldTable<S>& table, const S& s) {
  namespace d = settings_fields_detail;
  nlohmann::json out = nlohmann::json::object();
  d::for_each_field(table, [&](const Field<S>& f, const auto& m) {
    if constexpr (d::is_words<S, decltype(m)>) {
      out[f.name] = m.get(s);
    } else {
      out[f.name] = s.*m;
    }
  });
  return out;
}

/// Reads every field from `j`. A field `j` lacks takes its value in `legacy`: what files written
/// before the field existed meant, which need not be today's default. Any other missing field, a
/// wrong type or a word outside the choices is a SettingsError naming `prefix` + the field.
template <typename S>
void fields_from_json(const FieldTable<S>& table, const nlohmann::json& j, S& s, const std::string& prefix,
                      const nlohmann::json& legacy = nlohmann::json::object()) {
  namespace d = settings_fields_detail;
  d::for_each_field(table, [&](const Field<S>& f, const auto& m) {
    const std::string name = prefix + f.name;
    try {
      const bool use_legacy = j.is_object() && !j.contains(f.name) && legacy.contains(f.name);
      const nlohmann::json& v = use_legacy ? legacy.at(f.name) : j.at(f.name);
      if constexpr (d::is_words<S, decltype(m)>) {
        const auto word = v.template get<std::string>();
        if (!m.set(s, word)) check_choice(name, word, false, d::joined(m.allowed));
      } else if constexpr (std::is_same_v<std::decay_t<decltype(s.*m)>, std::uint64_t>) {
        s.*m = json_uint64(v);  // get<uint64_t> would wrap a negative number
      } else {
        s.*m = v.template get<std::decay_t<decltype(s.*m)>>();
      }
    } catch (const nlohmann::json::exception& e) {
      throw SettingsError(fmt::format("{}: {}", name, e.what()));
    }
  });
}

/// One line per field: "name = default  # doc [lo, hi]" (or "[word | word]"), for
/// --describe-settings and the docs.
template <typename S>
std::string describe_fields(const FieldTable<S>& table, const S& defaults, const std::string& prefix) {
  namespace d = settings_fields_detail;
  std::string out;
  d::for_each_field(table, [&](const Field<S>& f, const auto& m) {
    std::string value, allowed;
    if constexpr (d::is_words<S, decltype(m)>) {
      value = fmt::format("\"{}\"", m.get(defaults));
      allowed = fmt::format(" [{}]", fmt::join(m.allowed, " | "));
    } else {
      using T = std::decay_t<decltype(defaults.*m)>;
      if constexpr (std::is_same_v<T, std::string>) {
        value = fmt::format("\"{}\"", defaults.*m);
      } else if constexpr (std::is_same_v<T, bool>) {
        value = defaults.*m ? "true" : "false";
      } else {
        value = fmt::format("{}", defaults.*m);
        if (f.lo <= f.hi) allowed = " " + d::range_text<T>(f);
      }
    }
    out += fmt::format("{}{} = {}  # {}{}\n", prefix, f.name, value, f.doc, allowed);
  });
  return out;
}

}  // namespace mh
