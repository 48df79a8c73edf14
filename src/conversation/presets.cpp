// The built-in conversation presets. docs/conversation.md maps "original" to the original
// installation's loop step by step.
#include <fmt/format.h>

#include "conversation/conversation_settings.hpp"
#include "core/errors.hpp"

namespace mh::conversation {

namespace {

/// The original's unattended loop: one iteration is two halves. Dennis (B) sings the 20 → 40 s
/// window of a human song, decoded from its stored path by his current ML1; Valerio (A) listens, remembers it and sings his imitation; Dennis listens, remembers
/// the imitation and sings a variation (σ = 0.5) that nobody remembers. Then the same with the
/// roles swapped. After every 10 iterations Dennis dreams, then Valerio: ML1 only, 20 epochs at
/// batch 32 and a learning rate of 1e-4 on what was heard since the last dream.
ConversationSettings original() {
  ConversationSettings s;
  s.preset = "original";
  s.rounds = 1000;  // 100 × 10 iterations
  s.dream_every = 10;
  s.dream_order = {Role::kB, Role::kA};
  s.opening = Opening::kHuman;
  s.excerpt_min_s = 20;
  s.excerpt_max_s = 40;
  s.excerpt_window = ExcerptWindow::kFixed;
  s.excerpt_latents = ExcerptLatents::kStored;
  s.turns = {{Role::kB, Act::kHuman, -1, true},  {Role::kA, Act::kImitation, -1, true},
             {Role::kB, Act::kVariation, 0.5, false}, {Role::kA, Act::kHuman, -1, true},
             {Role::kB, Act::kImitation, -1, true}, {Role::kA, Act::kVariation, 0.5, false}};
  for (auto* r : {&s.a, &s.b}) {
    r->variation_sigma = 0.5;
    r->dream_policy = DreamPolicy::kReplace;
    r->dream_ml1_epochs = 20;
    r->dream_batch_size = 32;
    r->dream_learning_rate = 1e-4;
    r->dream_ml2_epochs = 0;  // the original never retrained ML2
  }
  return s;
}

/// The original notebooks' example: imitation ping-pong, then variations at σ = 1, 0.5, 0.5.
ConversationSettings notebook() {
  ConversationSettings s;
  s.preset = "notebook";
  s.opening = Opening::kHuman;
  s.turns = {{Role::kA, Act::kOpen, -1, true},      {Role::kB, Act::kImitation, -1, true},
             {Role::kA, Act::kImitation, -1, true}, {Role::kB, Act::kVariation, 1.0, true},
             {Role::kA, Act::kVariation, 0.5, true}, {Role::kB, Act::kVariation, 0.5, true}};
  return s;
}

}  // namespace

std::vector<std::string> presets() { return {"complete", "original", "notebook"}; }

ConversationSettings preset_settings(const std::string& name) {
  if (name == "complete") return ConversationSettings{};
  if (name == "original") return original();
  if (name == "notebook") return notebook();
  throw SettingsError(fmt::format("preset = '{}' is not allowed: choose one of complete, original, notebook", name));
}

}  // namespace mh::conversation
