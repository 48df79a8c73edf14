#include "core/toml_section.hpp"

#include <fmt/format.h>

#include <limits>
#include <sstream>

namespace mh {

const toml::node* TomlSection::find(const std::string& key) {
  seen_.insert(key);
  return table_ ? table_->get(key) : nullptr;
}

TomlSection TomlSection::section(const std::string& name) {
  const toml::node* node = find(name);
  if (node && !node->is_table()) throw SettingsError(fmt::format("{} must be a table", key_name(name)));
  return TomlSection(node ? node->as_table() : nullptr, key_name(name));
}

void TomlSection::read(const std::string& key, int64_t& out) {
  const toml::node* node = find(key);
  if (!node) return;
  if (!node->is_integer()) throw SettingsError(fmt::format("{} must be an integer", key_name(key)));
  out = node->as_integer()->get();
}

void TomlSection::read(const std::string& key, int& out) {
  int64_t wide = out;
  read(key, wide);
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    throw SettingsError(fmt::format("{} = {} does not fit a 32-bit integer", key_name(key), wide));
  }
  out = static_cast<int>(wide);
}

void TomlSection::read(const std::string& key, std::uint64_t& out) {
  int64_t wide = static_cast<int64_t>(out);
  read(key, wide);
  if (wide < 0) throw SettingsError(fmt::format("{} = {} must not be negative", key_name(key), wide));
  out = static_cast<std::uint64_t>(wide);
}

void TomlSection::read(const std::string& key, double& out) {
  const toml::node* node = find(key);
  if (!node) return;
  if (node->is_integer()) {
    out = static_cast<double>(node->as_integer()->get());
  } else if (node->is_floating_point()) {
    out = node->as_floating_point()->get();
  } else {
    throw SettingsError(fmt::format("{} must be a number", key_name(key)));
  }
}

void TomlSection::read(const std::string& key, bool& out) {
  const toml::node* node = find(key);
  if (!node) return;
  if (!node->is_boolean()) throw SettingsError(fmt::format("{} must be true or false", key_name(key)));
  out = node->as_boolean()->get();
}

void TomlSection::read(const std::string& key, std::string& out) {
  const toml::node* node = find(key);
  if (!node) return;
  if (!node->is_string()) throw SettingsError(fmt::format("{} must be a string", key_name(key)));
  out = node->as_string()->get();
}

void TomlSection::read(const std::string& key, std::vector<std::string>& out) {
  const toml::node* node = find(key);
  if (!node) return;
  const auto* array = node->as_array();
  if (!array) throw SettingsError(fmt::format("{} must be an array of strings", key_name(key)));
  std::vector<std::string> values;
  for (const auto& item : *array) {
    if (!item.is_string()) throw SettingsError(fmt::format("{} must be an array of strings", key_name(key)));
    values.push_back(item.as_string()->get());
  }
  out = std::move(values);
}

std::vector<TomlSection> TomlSection::tables(const std::string& key, bool* present) {
  const toml::node* node = find(key);
  if (present) *present = node != nullptr;
  std::vector<TomlSection> out;
  if (!node) return out;
  const auto* array = node->as_array();
  if (!array) throw SettingsError(fmt::format("{} must be an array of tables ([[{}]])", key_name(key), key));
  for (size_t i = 0; i < array->size(); ++i) {
    const auto* table = array->get(i)->as_table();
    const std::string name = fmt::format("{}[{}]", key_name(key), i);
    if (!table) throw SettingsError(fmt::format("{} must be a table", name));
    out.emplace_back(table, name);
  }
  return out;
}

void TomlSection::reject_unknown_keys() const {
  if (!table_) return;
  for (const auto& [k, v] : *table_) {
    const std::string key(k.str());
    if (!seen_.count(key)) throw SettingsError(fmt::format("unknown setting '{}'", key_name(key)));
  }
}

toml::table parse_toml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw SettingsError(fmt::format("{}:{}:{}: {}", source, where.line, where.column, e.description()));
  }
}

}  // namespace mh
