#pragma once
/// The turns of a conversation round: who sings, what, with which σ, and whether the other agent
/// remembers it. A round is one pass through the list, as one iteration of the original's loop
/// was; the built-in presets are such lists (docs/conversation.md maps them to the original).
#include <string>
#include <vector>

namespace mh::conversation {

/// The two agents of a session, in the order they were given.
enum class Role { kA, kB };
/// What an opening turn sings.
enum class Opening {
  kHuman,      ///< an excerpt of one of the singer's human training songs
  kMachine,    ///< a song composed by the singer's ML2
  kFile,       ///< a given recording in the first round, human excerpts after
  kAlternate,  ///< human in odd rounds (1, 3, …), machine in even ones
};
/// What a turn sings.
enum class Act {
  kOpen,       ///< what the session's opening says
  kHuman,
  kMachine,
  kFile,
  kImitation,  ///< the previous turn's song, re-sung from its latents (σ = 0)
  kVariation,  ///< the previous turn's song with Gaussian noise σ on every latent coordinate
};

struct Turn {
  Role singer = Role::kA;
  Act act = Act::kOpen;
  double sigma = -1;        ///< variations: < 0 takes the singer's role `variation_sigma`
  bool remembered = true;   ///< the other agent adds the song to its dataset
};

std::string to_string(Role role);
std::string to_string(Opening opening);
std::string to_string(Act act);
/// Each throws SettingsError naming `field`, the word and the allowed words.
Role parse_role(const std::string& word, const std::string& field);
Opening parse_opening(const std::string& word, const std::string& field);
Act parse_act(const std::string& word, const std::string& field);

/// The act an `kOpen` turn takes in `round` (1-based), and whether it is the session's very first
/// opening (the one a file opening sings the file in).
Act opening_act(Opening opening, int round, bool first_opening);

/// The default choreography, the original's made complete: A opens, B imitates, A varies; then
/// B opens, A imitates, B varies. Every song is remembered by its listener.
std::vector<Turn> complete_turns();

/// Throws SettingsError naming turns[i] when a turn cannot be sung: an imitation or variation
/// first in the list or answering its own singer, σ outside [0, 100], an empty list.
void validate_turns(const std::vector<Turn>& turns);

}  // namespace mh::conversation
