#include "conversation/conversation_settings.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <sstream>

#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/toml_section.hpp"

namespace mh::conversation {

std::string to_string(DreamPolicy policy) {
  switch (policy) {
    case DreamPolicy::kAccumulate: return "accumulate";
    case DreamPolicy::kReplace: return "replace";
    case DreamPolicy::kMix: return "mix";
  }
  return "?";
}

DreamPolicy parse_dream_policy(const std::string& word, const std::string& field) {
  if (word == "accumulate") return DreamPolicy::kAccumulate;
  if (word == "replace") return DreamPolicy::kReplace;
  if (word == "mix") return DreamPolicy::kMix;
  check_choice(field, word, false, "accumulate, replace, mix");
  return DreamPolicy::kAccumulate;
}

void RoleSettings::validate(const std::string& prefix) const {
  check_range(prefix + "variation_sigma", variation_sigma, 0.0, 100.0);
  parse_dream_policy(dream_policy, prefix + "dream_policy");
  check_range(prefix + "mix_human_share", mix_human_share, 0.0, 1.0);
  check_range(prefix + "dream_ml1_epochs", dream_ml1_epochs, 0, 10000);
  check_range(prefix + "dream_ml2_epochs", dream_ml2_epochs, 0, 10000);
  check_range(prefix + "dream_max_items", dream_max_items, 0, 100000000);
}

void ConversationSettings::validate() const {
  check_range("rounds", rounds, 1, 100000);
  check_range("dream_every", dream_every, 0, 100000);
  check_choice("opening", opening, opening == "human" || opening == "machine" || opening == "file",
               "human, machine, file");
  if (opening == "file" && opening_file.empty()) {
    throw SettingsError("opening_file is empty: opening = 'file' needs an audio file to sing first");
  }
  check_range("excerpt_min_s", excerpt_min_s, 0.25, 3600.0);
  check_range("excerpt_max_s", excerpt_max_s, excerpt_min_s, 3600.0);
  check_range("machine_song_s", machine_song_s, 0.25, 3600.0);
  check_range("reference_snippets", reference_snippets, 8, 100000);
  a.validate("a.");
  b.validate("b.");
}

namespace {

void read_role(TomlSection s, RoleSettings& r) {
  s.read("variation_sigma", r.variation_sigma);
  s.read("dream_policy", r.dream_policy);
  s.read("mix_human_share", r.mix_human_share);
  s.read("dream_ml1_epochs", r.dream_ml1_epochs);
  s.read("dream_ml2_epochs", r.dream_ml2_epochs);
  s.read("dream_max_items", r.dream_max_items);
  s.reject_unknown_keys();
}

toml::table role_table(const RoleSettings& r) {
  return toml::table{{"variation_sigma", r.variation_sigma},     {"dream_policy", r.dream_policy},
                     {"mix_human_share", r.mix_human_share},     {"dream_ml1_epochs", r.dream_ml1_epochs},
                     {"dream_ml2_epochs", r.dream_ml2_epochs},   {"dream_max_items", r.dream_max_items}};
}

}  // namespace

ConversationSettings parse_conversation_settings(const std::string& text, const std::string& source) {
  ConversationSettings s;
  try {
    const toml::table table = parse_toml(text, source);
    TomlSection root(&table, "");
    root.read("rounds", s.rounds);
    root.read("dream_every", s.dream_every);
    root.read("opening", s.opening);
    root.read("opening_file", s.opening_file);
    root.read("excerpt_min_s", s.excerpt_min_s);
    root.read("excerpt_max_s", s.excerpt_max_s);
    root.read("machine_song_s", s.machine_song_s);
    root.read("reference_snippets", s.reference_snippets);
    root.read("seed", s.seed);
    read_role(root.section("a"), s.a);
    read_role(root.section("b"), s.b);
    root.reject_unknown_keys();
    s.validate();
  } catch (const SettingsError& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw SettingsError(fmt::format("{}: {}", source, what));
  }
  return s;
}

std::string to_toml_text(const ConversationSettings& s) {
  toml::table t{{"rounds", s.rounds},
                {"dream_every", s.dream_every},
                {"opening", s.opening},
                {"opening_file", s.opening_file},
                {"excerpt_min_s", s.excerpt_min_s},
                {"excerpt_max_s", s.excerpt_max_s},
                {"machine_song_s", s.machine_song_s},
                {"reference_snippets", s.reference_snippets},
                {"seed", static_cast<int64_t>(s.seed)},
                {"a", role_table(s.a)},
                {"b", role_table(s.b)}};
  std::ostringstream out;
  out << t << "\n";
  return out.str();
}

}  // namespace mh::conversation
