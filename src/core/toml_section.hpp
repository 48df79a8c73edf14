#pragma once
/// Reads one [table] of a settings file into a settings struct, field by field. Every problem
/// (wrong type, unknown key — usually a typo) is a SettingsError naming the full dotted key.
#include <toml++/toml.h>

#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace mh {

class TomlSection {
 public:
  /// `table` may be null (section absent: every read keeps the default). `prefix` like "mel".
  TomlSection(const toml::table* table, std::string prefix) : table_(table), prefix_(std::move(prefix)) {}

  /// Child section `name` (absent → empty section). A key that is not a table is an error.
  TomlSection section(const std::string& name);

  void read(const std::string& key, int& out);
  void read(const std::string& key, int64_t& out);
  void read(const std::string& key, std::uint64_t& out);
  void read(const std::string& key, double& out);
  void read(const std::string& key, bool& out);
  void read(const std::string& key, std::string& out);
  /// An array of strings; absent keeps `out`.
  void read(const std::string& key, std::vector<std::string>& out);
  /// The tables of an array of tables (`[[key]]`), named key[0], key[1], …; absent → empty.
  /// `present` is set when the key exists.
  std::vector<TomlSection> tables(const std::string& key, bool* present = nullptr);
  bool has(const std::string& key) const { return table_ && table_->contains(key); }

  /// Throws SettingsError if the table holds keys that no read() or section() asked for.
  void reject_unknown_keys() const;

  std::string key_name(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

 private:
  const toml::node* find(const std::string& key);
  const toml::table* table_;
  std::string prefix_;
  std::set<std::string> seen_;
};

/// Parses TOML text; syntax errors become SettingsError naming `source` with line and column.
toml::table parse_toml(const std::string& text, const std::string& source);

}  // namespace mh
