#pragma once
/// Settings of a conversation (the session's `session.toml`): the choreography, the dream
/// schedule and, per role, how the agent varies and dreams. The two roles may differ in every
/// field, as the original paired a 4-s agent with a 2-s one.
#include <cstdint>
#include <string>

namespace mh::conversation {

/// What an agent's dream trains on.
enum class DreamPolicy {
  kAccumulate,  ///< everything it ever learned or heard, human data included
  kReplace,     ///< only the songs heard since its last dream (the original)
  kMix,         ///< all heard songs plus a fixed share of human items per epoch
};
std::string to_string(DreamPolicy policy);
/// Throws SettingsError naming `field` for an unknown word.
DreamPolicy parse_dream_policy(const std::string& word, const std::string& field);

struct RoleSettings {
  double variation_sigma = 0.5;   ///< latent noise of a variation (0 = exact imitation)
  std::string dream_policy = "accumulate";
  double mix_human_share = 0.5;   ///< λ of the mix policy: human share of each dream epoch
  int dream_ml1_epochs = 2;       ///< ML1 epochs per dream
  int dream_ml2_epochs = 10;      ///< ML2 epochs per dream (0: ML2 is not retrained)
  int dream_max_items = 0;        ///< > 0: a dream trains on at most this many snippets (seeded draw)

  /// Throws SettingsError naming `prefix`.field, the value and the allowed range.
  void validate(const std::string& prefix) const;
  DreamPolicy policy() const { return parse_dream_policy(dream_policy, "dream_policy"); }
};

struct ConversationSettings {
  int rounds = 30;
  int dream_every = 10;             ///< both agents dream after every this many rounds (0: never)
  std::string opening = "human";    ///< human (a learned song's excerpt) | machine (ML2) | file
  std::string opening_file;         ///< audio file sung first when opening = file
  double excerpt_min_s = 20;        ///< a human excerpt lasts between these (whole song if shorter)
  double excerpt_max_s = 40;
  double machine_song_s = 20;       ///< length of a machine opening
  int reference_snippets = 512;     ///< size of the held-out human reference H per agent
  std::uint64_t seed = 0;
  RoleSettings a;                   ///< the agent given first
  RoleSettings b;

  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// Defaults, then the TOML text's fields ([a] and [b] tables for the roles). Unknown keys are
/// errors. Throws SettingsError prefixed with `source`.
ConversationSettings parse_conversation_settings(const std::string& text, const std::string& source);
std::string to_toml_text(const ConversationSettings& settings);

}  // namespace mh::conversation
