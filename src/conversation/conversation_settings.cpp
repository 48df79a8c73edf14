#include "conversation/conversation_settings.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <sstream>

#include "core/check.hpp"
#include "core/enum_words.hpp"
#include "core/errors.hpp"
#include "core/settings_fields.hpp"
#include "core/toml_section.hpp"

namespace mh::conversation {

namespace {
constexpr EnumWords<DreamPolicy, 3> kDreamPolicies{
    {{"accumulate", DreamPolicy::kAccumulate}, {"replace", DreamPolicy::kReplace}, {"mix", DreamPolicy::kMix}}};
constexpr EnumWords<Ml2DreamStart, 3> kMl2DreamStarts{{{"fine-tune", Ml2DreamStart::kFineTune},
                                                       {"by-drift", Ml2DreamStart::kByDrift},
                                                       {"fresh", Ml2DreamStart::kFresh}}};
constexpr EnumWords<ExcerptWindow, 2> kExcerptWindows{{{"random", ExcerptWindow::kRandom},
                                                      {"fixed", ExcerptWindow::kFixed}}};
constexpr EnumWords<ExcerptLatents, 2> kExcerptLatents{{{"re-encoded", ExcerptLatents::kReencoded},
                                                       {"stored", ExcerptLatents::kStored}}};
}  // namespace

std::string to_string(ExcerptWindow window) { return word_of(kExcerptWindows, window); }
std::string to_string(ExcerptLatents latents) { return word_of(kExcerptLatents, latents); }

std::string to_string(Ml2DreamStart start) { return word_of(kMl2DreamStarts, start); }

std::string to_string(DreamPolicy policy) { return word_of(kDreamPolicies, policy); }

DreamPolicy parse_dream_policy(const std::string& word, const std::string& field) {
  return parse_word(kDreamPolicies, word, field);
}

namespace {

const FieldTable<RoleSettings>& role_fields() {
  static const FieldTable<RoleSettings> table{
      {"dream_policy",
       "what a dream trains on: everything (accumulate), what was heard since the last dream (replace), or "
       "mix_human_share human per batch (mix)",
       enum_words(&RoleSettings::dream_policy, kDreamPolicies)},
      {"variation_sigma", "latent noise of a variation (0: an exact imitation)", &RoleSettings::variation_sigma, 0, 100},
      {"mix_human_share", "λ of the mix policy: human share of every dream batch", &RoleSettings::mix_human_share, 0, 1},
      {"dream_ml1_epochs", "ML1 epochs per dream", &RoleSettings::dream_ml1_epochs, 0, 10000},
      {"dream_ml2_epochs", "ML2 epochs per dream (0: ML2 is not retrained)", &RoleSettings::dream_ml2_epochs, 0, 10000},
      {"dream_max_items", "> 0: a dream trains on at most this many snippets", &RoleSettings::dream_max_items, 0, 1e8},
      {"dream_batch_size", "ML1's batch in dreams (0: the agent's ml1.batch_size)", &RoleSettings::dream_batch_size, 0,
       4096},
      {"dream_learning_rate", "ML1's learning rate in dreams (0: the agent's ml1.learning_rate)",
       &RoleSettings::dream_learning_rate, 0, 1},
      {"dream_budget_s", "wall-clock budget of a dream in seconds (0: none)", &RoleSettings::dream_budget_s, 0, 1e6},
      {"dream_ml2_start",
       "how a dream's ML2 starts: from its weights (fine-tune), afresh when the orders moved more than "
       "ml2_fresh_drift (by-drift), or afresh (fresh)",
       enum_words(&RoleSettings::dream_ml2_start, kMl2DreamStarts)},
      {"ml2_fresh_drift", "by-drift: ML2 starts afresh when the song orders moved more than this share of their variance",
       &RoleSettings::ml2_fresh_drift, 0, 1e6},
      {"dream_ml2_fresh_epochs", "epochs of a fresh ML2 in a dream (0: the agent's ml2.epochs)",
       &RoleSettings::dream_ml2_fresh_epochs, 0, 100000},
  };
  return table;
}

const FieldTable<ConversationSettings>& conversation_fields() {
  static const FieldTable<ConversationSettings> table{
      {"rounds", "passes through the turns (0: until stopped)", &ConversationSettings::rounds, 0, 1e6},
      {"dream_every", "both agents dream after every this many rounds (0: never)", &ConversationSettings::dream_every,
       0, 1e6},
      {"opening_file", "audio file a 'file' turn sings", &ConversationSettings::opening_file},
      {"excerpt_min_s", "shortest human excerpt in seconds", &ConversationSettings::excerpt_min_s, 0.25, 3600},
      {"excerpt_max_s", "longest human excerpt in seconds (at least excerpt_min_s)", &ConversationSettings::excerpt_max_s,
       0.25, 3600},
      {"excerpt_window",
       "which stretch of a human song a 'human' turn sings: a random start and length between excerpt_min_s and "
       "excerpt_max_s (random), or the window from excerpt_min_s to excerpt_max_s (fixed)",
       enum_words(&ConversationSettings::excerpt_window, kExcerptWindows)},
      {"excerpt_latents",
       "what a 'human' turn sings from: the snippets encoded by the current ML1 (re-encoded), or the song's path as "
       "encoded at the session's start, decoded by the current ML1 (stored)",
       enum_words(&ConversationSettings::excerpt_latents, kExcerptLatents)},
      {"machine_song_s", "length of a machine song in seconds", &ConversationSettings::machine_song_s, 0.25, 3600},
      {"reference_snippets", "size of each agent's held-out human reference", &ConversationSettings::reference_snippets,
       8, 100000},
      {"dream_snapshots_keep", "dream snapshots kept per agent: the last this many dreams' and the emancipation "
       "dream's (0: all)", &ConversationSettings::dream_snapshots_keep, 0, 1e6},
      {"songs_max_mb", "> 0: cap of the songs' WAVs in MB; the oldest go first, sidecars stay and are not counted (0: no cap)",
       &ConversationSettings::songs_max_mb, 0, 1e9},
  };
  return table;
}

}  // namespace

void RoleSettings::validate(const std::string& prefix) const { validate_fields(role_fields(), *this, prefix); }

std::string describe_conversation_settings() {
  const ConversationSettings defaults;
  std::string out = describe_fields(conversation_fields(), defaults, "");
  out += "dream_order = [\"a\", \"b\"]  # who dreams first\n";
  out += "opening = \"alternate\"  # what an open turn sings: human, machine, file, alternate\n";
  out += "seed = 0  # the session's seed\n";
  out += "[[turns]]  # singer = a|b, sings = open|human|machine|file|imitation|variation, sigma, remembered\n";
  out += "[a] / [b]:\n";
  out += describe_fields(role_fields(), defaults.a, "");
  return out;
}

bool ConversationSettings::sings_machine_songs() const {
  const bool opens_machine = opening == Opening::kMachine || opening == Opening::kAlternate;
  for (const auto& t : turns) {
    if (t.act == Act::kMachine || (t.act == Act::kOpen && opens_machine)) return true;
  }
  return false;
}

void ConversationSettings::validate() const {
  validate_fields(conversation_fields(), *this, "");
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
  check_range("excerpt_max_s", excerpt_max_s, excerpt_min_s, 3600.0);
  validate_turns(turns);
  a.validate("a.");
  b.validate("b.");
}

namespace {

void read_role(TomlSection s, RoleSettings& r) {
  read_fields(role_fields(), s, r);
  s.reject_unknown_keys();
}

toml::table role_table(const RoleSettings& r) {
  toml::table t;
  write_fields(role_fields(), r, t);
  return t;
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
void read_settings(TomlSection& root, ConversationSettings& s, bool saved_session) {
  read_fields(conversation_fields(), root, s);
  std::vector<std::string> order;
  root.read("dream_order", order);
  if (!order.empty()) {
    s.dream_order.clear();
    for (size_t i = 0; i < order.size(); ++i) s.dream_order.push_back(parse_role(order[i], fmt::format("dream_order[{}]", i)));
  }
  std::string opening = to_string(s.opening);
  root.read("opening", opening);
  s.opening = parse_opening(opening, "opening");
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
    if (saved_session) {
      // A session saved before these keys existed sang and dreamed this way; a resume continues it so.
      s.excerpt_window = ExcerptWindow::kRandom;
      s.excerpt_latents = ExcerptLatents::kReencoded;
      s.a.dream_learning_rate = s.b.dream_learning_rate = 0;
    }
    read_settings(root, s, saved_session);
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
                {"dream_order", order},
                {"opening", to_string(s.opening)},
                {"seed", static_cast<int64_t>(s.seed)},
                {"turns", turns},
                {"a", role_table(s.a)},
                {"b", role_table(s.b)}};
  write_fields(conversation_fields(), s, t);
  std::ostringstream out;
  out << t << "\n";
  return out.str();
}

}  // namespace mh::conversation
