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
  check_range(prefix + "mix_human_share", mix_human_share, 0.0, 1.0);
  check_range(prefix + "dream_ml1_epochs", dream_ml1_epochs, 0, 10000);
  check_range(prefix + "dream_ml2_epochs", dream_ml2_epochs, 0, 10000);
  check_range(prefix + "dream_max_items", dream_max_items, 0, 100000000);
  check_range(prefix + "dream_batch_size", dream_batch_size, 0, 4096);
  check_range(prefix + "dream_budget_s", dream_budget_s, 0.0, 1e6);
  check_range(prefix + "ml2_fresh_drift", ml2_fresh_drift, 0.0, 1e6);
}

bool ConversationSettings::sings_machine_songs() const {
  const bool opens_machine = opening == Opening::kMachine || opening == Opening::kAlternate;
  for (const auto& t : turns) {
    if (t.act == Act::kMachine || (t.act == Act::kOpen && opens_machine)) return true;
  }
  return false;
}

void ConversationSettings::validate() const {
  check_range("rounds", rounds, 1, 1000000);
  check_range("dream_every", dream_every, 0, 1000000);
  if (dream_order.size() != 2 || dream_order[0] == dream_order[1]) {
    throw SettingsError("dream_order must name both agents once, e.g. [\"a\", \"b\"] or [\"b\", \"a\"]");
  }
  bool opens = false, file_act = false;
  for (const auto& t : turns) {
    opens |= t.act == Act::kOpen;
    file_act |= t.act == Act::kFile;
  }
  if (((opening == Opening::kFile && opens) || file_act) && opening_file.empty()) {
    throw SettingsError("opening_file is empty: singing a 'file' needs an audio file");
  }
  check_range("excerpt_min_s", excerpt_min_s, 0.25, 3600.0);
  check_range("excerpt_max_s", excerpt_max_s, excerpt_min_s, 3600.0);
  check_range("machine_song_s", machine_song_s, 0.25, 3600.0);
  check_range("reference_snippets", reference_snippets, 8, 100000);
  validate_turns(turns);
  a.validate("a.");
  b.validate("b.");
}

namespace {

void read_role(TomlSection s, RoleSettings& r) {
  s.read("variation_sigma", r.variation_sigma);
  std::string policy = to_string(r.dream_policy);
  s.read("dream_policy", policy);
  r.dream_policy = parse_dream_policy(policy, s.key_name("dream_policy"));
  s.read("mix_human_share", r.mix_human_share);
  s.read("dream_ml1_epochs", r.dream_ml1_epochs);
  s.read("dream_ml2_epochs", r.dream_ml2_epochs);
  s.read("dream_max_items", r.dream_max_items);
  s.read("dream_batch_size", r.dream_batch_size);
  s.read("dream_budget_s", r.dream_budget_s);
  s.read("ml2_fresh_drift", r.ml2_fresh_drift);
  s.reject_unknown_keys();
}

toml::table role_table(const RoleSettings& r) {
  return toml::table{{"variation_sigma", r.variation_sigma},   {"dream_policy", to_string(r.dream_policy)},
                     {"mix_human_share", r.mix_human_share},   {"dream_ml1_epochs", r.dream_ml1_epochs},
                     {"dream_ml2_epochs", r.dream_ml2_epochs}, {"dream_max_items", r.dream_max_items},
                     {"dream_batch_size", r.dream_batch_size}, {"dream_budget_s", r.dream_budget_s},
                     {"ml2_fresh_drift", r.ml2_fresh_drift}};
}

Turn read_turn(TomlSection s) {
  Turn t;
  std::string singer = to_string(t.singer), act = to_string(t.act);
  s.read("singer", singer);
  s.read("sings", act);
  t.singer = parse_role(singer, s.key_name("singer"));
  t.act = parse_act(act, s.key_name("sings"));
  s.read("sigma", t.sigma);
  s.read("remembered", t.remembered);
  s.reject_unknown_keys();
  return t;
}

/// Reads every field of `root` over `s` (a preset's settings).
void read_fields(TomlSection& root, ConversationSettings& s, bool saved_session) {
  root.read("rounds", s.rounds);
  root.read("dream_every", s.dream_every);
  std::vector<std::string> order;
  root.read("dream_order", order);
  if (!order.empty()) {
    s.dream_order.clear();
    for (size_t i = 0; i < order.size(); ++i) s.dream_order.push_back(parse_role(order[i], fmt::format("dream_order[{}]", i)));
  }
  std::string opening = to_string(s.opening);
  root.read("opening", opening);
  s.opening = parse_opening(opening, "opening");
  root.read("opening_file", s.opening_file);
  root.read("excerpt_min_s", s.excerpt_min_s);
  root.read("excerpt_max_s", s.excerpt_max_s);
  root.read("machine_song_s", s.machine_song_s);
  root.read("reference_snippets", s.reference_snippets);
  root.read("seed", s.seed);
  bool listed = false;
  auto turns = root.tables("turns", &listed);
  if (listed) {
    s.turns.clear();
    for (auto& t : turns) s.turns.push_back(read_turn(t));
  } else if (saved_session) {
    throw SettingsError(
        "it lists no [[turns]]: the session was started by an earlier version, whose rounds were half an "
        "iteration long; its songs, log and report stay readable, but continue it with that version or start a "
        "new session");
  }
  read_role(root.section("a"), s.a);
  read_role(root.section("b"), s.b);
  root.reject_unknown_keys();
}

}  // namespace

ConversationSettings parse_conversation_settings(const std::string& text, const std::string& source,
                                                 bool saved_session) {
  ConversationSettings s;
  try {
    const toml::table table = parse_toml(text, source);
    TomlSection root(&table, "");
    std::string preset = s.preset;
    root.read("preset", preset);
    s = preset_settings(preset);
    read_fields(root, s, saved_session);
    s.validate();
  } catch (const SettingsError& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw SettingsError(fmt::format("{}: {}", source, what));
  }
  return s;
}

std::string to_toml_text(const ConversationSettings& s) {
  toml::array order;
  for (const auto r : s.dream_order) order.push_back(to_string(r));
  toml::array turns;
  for (const auto& t : s.turns) {
    toml::table row{{"singer", to_string(t.singer)}, {"sings", to_string(t.act)}, {"remembered", t.remembered}};
    if (t.sigma >= 0) row.insert("sigma", t.sigma);
    turns.push_back(std::move(row));
  }
  toml::table t{{"preset", s.preset},
                {"rounds", s.rounds},
                {"dream_every", s.dream_every},
                {"dream_order", order},
                {"opening", to_string(s.opening)},
                {"opening_file", s.opening_file},
                {"excerpt_min_s", s.excerpt_min_s},
                {"excerpt_max_s", s.excerpt_max_s},
                {"machine_song_s", s.machine_song_s},
                {"reference_snippets", s.reference_snippets},
                {"seed", static_cast<int64_t>(s.seed)},
                {"turns", turns},
                {"a", role_table(s.a)},
                {"b", role_table(s.b)}};
  std::ostringstream out;
  out << t << "\n";
  return out.str();
}

}  // namespace mh::conversation
