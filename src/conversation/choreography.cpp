#include "conversation/choreography.hpp"

#include <fmt/format.h>

#include "core/check.hpp"
#include "core/enum_words.hpp"
#include "core/errors.hpp"

namespace mh::conversation {

namespace {

constexpr EnumWords<Role, 2> kRoles{{{"a", Role::kA}, {"b", Role::kB}}};
constexpr EnumWords<Opening, 4> kOpenings{{{"human", Opening::kHuman}, {"machine", Opening::kMachine},
                                           {"file", Opening::kFile}, {"alternate", Opening::kAlternate}}};
constexpr EnumWords<Act, 6> kActs{{{"open", Act::kOpen}, {"human", Act::kHuman}, {"machine", Act::kMachine},
                                   {"file", Act::kFile}, {"imitation", Act::kImitation}, {"variation", Act::kVariation}}};

}  // namespace

std::string to_string(Role role) { return word_of(kRoles, role); }
std::string to_string(Opening opening) { return word_of(kOpenings, opening); }
std::string to_string(Act act) { return word_of(kActs, act); }
Role parse_role(const std::string& word, const std::string& field) { return parse_word(kRoles, word, field); }
Opening parse_opening(const std::string& word, const std::string& field) { return parse_word(kOpenings, word, field); }
Act parse_act(const std::string& word, const std::string& field) { return parse_word(kActs, word, field); }

Act opening_act(Opening opening, int round, bool first_opening) {
  switch (opening) {
    case Opening::kHuman: return Act::kHuman;
    case Opening::kMachine: return Act::kMachine;
    case Opening::kFile: return first_opening ? Act::kFile : Act::kHuman;
    case Opening::kAlternate: return round % 2 == 1 ? Act::kHuman : Act::kMachine;
  }
  return Act::kHuman;
}

std::vector<Turn> complete_turns() {
  return {{Role::kA, Act::kOpen, -1, true},      {Role::kB, Act::kImitation, -1, true},
          {Role::kA, Act::kVariation, -1, true}, {Role::kB, Act::kOpen, -1, true},
          {Role::kA, Act::kImitation, -1, true}, {Role::kB, Act::kVariation, -1, true}};
}

void validate_turns(const std::vector<Turn>& turns) {
  check_range("turns (count)", static_cast<int>(turns.size()), 1, 64);
  for (size_t i = 0; i < turns.size(); ++i) {
    const auto& t = turns[i];
    const std::string name = fmt::format("turns[{}]", i);
    const bool answers = t.act == Act::kImitation || t.act == Act::kVariation;
    if (answers && i == 0) {
      throw SettingsError(fmt::format("{}: a round cannot begin with an {}: it answers the song before it", name,
                                      to_string(t.act)));
    }
    if (answers && turns[i - 1].singer == t.singer) {
      throw SettingsError(fmt::format("{}: agent {} would answer its own song: an {} answers the other agent's",
                                      name, to_string(t.singer), to_string(t.act)));
    }
    if (t.act == Act::kVariation && t.sigma >= 0) check_range(name + ".sigma", t.sigma, 0.0, 100.0);
    if (t.act != Act::kVariation && t.sigma >= 0 && !(t.act == Act::kImitation && t.sigma == 0)) {
      throw SettingsError(fmt::format("{}.sigma = {}: only a variation has a σ", name, t.sigma));
    }
  }
}

}  // namespace mh::conversation
