#pragma once
/// An enum's words declared once, as one table: to the word, from the word, and the list of
/// allowed words for error messages all read it, so they cannot drift apart.
#include <array>
#include <optional>
#include <string>
#include <utility>

#include "core/check.hpp"

namespace mh {

template <typename E, size_t N>
using EnumWords = std::array<std::pair<const char*, E>, N>;

template <typename E, size_t N>
std::string word_of(const EnumWords<E, N>& words, E value) {
  for (const auto& [w, e] : words) {
    if (e == value) return w;
  }
  return "?";
}

template <typename E, size_t N>
std::optional<E> find_word(const EnumWords<E, N>& words, const std::string& word) {
  for (const auto& [w, e] : words) {
    if (word == w) return e;
  }
  return std::nullopt;
}

/// "a, b, c"
template <typename E, size_t N>
std::string allowed_words(const EnumWords<E, N>& words) {
  std::string out;
  for (const auto& entry : words) out += (out.empty() ? "" : ", ") + std::string(entry.first);
  return out;
}

/// The value of a setting's word; SettingsError naming `field`, the word and the allowed words.
template <typename E, size_t N>
E parse_word(const EnumWords<E, N>& words, const std::string& word, const std::string& field) {
  if (const auto e = find_word(words, word)) return *e;
  check_choice(field, word, false, allowed_words(words));
  return words[0].second;
}

}  // namespace mh
