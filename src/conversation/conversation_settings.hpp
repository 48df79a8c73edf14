#pragma once
/// Settings of a conversation (the session's `session.toml`): the choreography, the dream
/// schedule and, per role, how the agent varies and dreams. The two roles may differ in every
/// field, as the original paired a 4-s agent with a 2-s one.
#include <cstdint>
#include <string>
#include <vector>

#include "conversation/choreography.hpp"

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

/// How a dream's ML2 training starts.
enum class Ml2DreamStart {
  kFineTune,  ///< from its weights (afresh only when there are none)
  kByDrift,   ///< from its weights unless the song orders moved more than ml2_fresh_drift
  kFresh,     ///< afresh every dream
};
std::string to_string(Ml2DreamStart start);

/// Which stretch of a human song a `human` turn sings.
enum class ExcerptWindow {
  kRandom,  ///< a random start and a length drawn between excerpt_min_s and excerpt_max_s
  kFixed,   ///< the window from excerpt_min_s to excerpt_max_s of the song (the original: 20 → 40 s)
};
std::string to_string(ExcerptWindow window);

/// Which latents a `human` turn sings its excerpt from.
enum class ExcerptLatents {
  kReencoded,  ///< the stored snippets encoded by the singer's current ML1
  /// the song's path as the singer's ML1 encoded it at the session's start (the judge's frozen
  /// copy), decoded by its current ML1: the original decoded stored paths with a changing decoder
  kStored,
};
std::string to_string(ExcerptLatents latents);

struct RoleSettings {
  double variation_sigma = 0.5;   ///< latent noise of a variation (0 = exact imitation)
  DreamPolicy dream_policy = DreamPolicy::kAccumulate;
  double mix_human_share = 0.5;   ///< λ of the mix policy: human share of every dream batch
  int dream_ml1_epochs = 2;       ///< ML1 epochs per dream
  int dream_ml2_epochs = 10;      ///< ML2 epochs per dream (0: ML2 is not retrained)
  int dream_max_items = 0;        ///< > 0: a dream trains on at most this many snippets (seeded draw)
  int dream_batch_size = 0;       ///< > 0: ML1's batch size in dreams (0: the agent's ml1.batch_size)
  /// > 0: ML1's learning rate in dreams (0: the agent's ml1.learning_rate); the original dreamed at 1e-4.
  double dream_learning_rate = 0;
  /// > 0: a dream's wall-clock budget in seconds. ML1 stops after the step that exhausts it; ML2
  /// then trains one epoch at least, so that it matches the new ML1. A budgeted dream is not
  /// reproducible to the byte (it depends on the machine's speed).
  double dream_budget_s = 0;
  /// Fine-tuning keeps what ML2 learned across dreams; a fresh ML2 trained for a dream's few
  /// epochs ended worse than the one it replaced (docs/ml2_composing.md).
  Ml2DreamStart dream_ml2_start = Ml2DreamStart::kFineTune;
  /// by-drift: ML2 starts afresh when ML1's new song orders moved by more than this share of
  /// their spread (mean squared move / variance).
  double ml2_fresh_drift = 0.25;
  /// Epochs of a fresh ML2 in a dream (0: the agent's ml2.epochs, what its first training
  /// took), so that it reaches the validation figure of the model it replaces.
  int dream_ml2_fresh_epochs = 0;

  /// Throws SettingsError naming `prefix`.field, the value and the allowed range.
  void validate(const std::string& prefix) const;
};

struct ConversationSettings {
  std::string preset = "complete";  ///< the built-in settings these started from (see presets())
  int rounds = 15;                  ///< passes through `turns`; 1-based in logs and on screen; 0: until stopped
  int dream_every = 5;              ///< both agents dream after every this many rounds (0: never)
  std::vector<Role> dream_order{Role::kA, Role::kB};  ///< who dreams first
  Opening opening = Opening::kAlternate;  ///< what an `open` turn sings
  std::string opening_file;         ///< audio file sung first when opening = file
  double excerpt_min_s = 20;        ///< a human excerpt lasts between these (whole song if shorter)
  double excerpt_max_s = 40;
  ExcerptWindow excerpt_window = ExcerptWindow::kRandom;
  ExcerptLatents excerpt_latents = ExcerptLatents::kReencoded;
  double machine_song_s = 20;       ///< length of a machine opening
  int reference_snippets = 512;     ///< size of the held-out human reference H per agent
  std::uint64_t seed = 0;
  /// Dream snapshots kept per agent: its last this many dreams' plus the emancipation dream's
  /// (0: every one). Each is the size of the agent's models, twice per dream.
  int dream_snapshots_keep = 3;
  /// > 0: the songs folder's cap in MB (10^6 bytes); over it the oldest songs' WAVs are removed,
  /// their sidecars kept. 0: every song is kept.
  double songs_max_mb = 0;
  std::vector<Turn> turns = complete_turns();
  RoleSettings a;                   ///< the agent given first
  RoleSettings b;

  const RoleSettings& role(Role r) const { return r == Role::kA ? a : b; }
  /// True when some turn (or the opening) composes with ML2.
  bool sings_machine_songs() const;
  /// Throws SettingsError naming the field, the value and the allowed range.
  void validate() const;
};

/// Names of the built-in presets: "complete" (the default), "original" (the original
/// installation's loop, step by step), "notebook" (the original notebooks' σ chain).
std::vector<std::string> presets();
/// A preset's settings. Throws SettingsError for an unknown name, listing the known ones.
ConversationSettings preset_settings(const std::string& name);

/// The preset named by the text's `preset` key (default "complete"), then the text's fields
/// ([a] and [b] tables for the roles, [[turns]] for the turn list). Unknown keys are errors.
/// `saved_session`: the text is a session's session.toml, which must list its turns (one
/// written before turn lists existed counted rounds differently and cannot be continued).
/// Throws SettingsError prefixed with `source`.
ConversationSettings parse_conversation_settings(const std::string& text, const std::string& source,
                                                 bool saved_session = false);
std::string to_toml_text(const ConversationSettings& settings);
/// Every setting with its default, meaning and range, one per line (`converse --describe-settings`).
std::string describe_conversation_settings();

}  // namespace mh::conversation
