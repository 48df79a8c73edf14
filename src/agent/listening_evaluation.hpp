#pragma once
/// Does an agent listen? It imitates recordings (σ = 0) and its answers are compared with what
/// it heard (dsp/listening.hpp), next to the voice path alone (the heard mel rendered without
/// the model), which is the ceiling. The notes the answers keep are measured on the audio
/// (dsp/notes.hpp, docs/notes.md).
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "dsp/listening.hpp"
#include "dsp/notes.hpp"

namespace mh::agent {

struct HeardRecording {
  std::string name;
  torch::Tensor audio;  ///< mono [samples] at the agent's sample rate
};

/// ML1's eval-mode reconstruction MSE of heard snippets (normalised units) next to two trivial
/// predictors: the agent's mean training snippet, and each snippet's own time-averaged spectrum.
struct ReconstructionFigures {
  double model = 0, mean_snippet = 0, time_flat = 0;
  int64_t snippets = 0;
  nlohmann::json to_json() const;
};

/// The notes of what was heard that the agent's answer keeps, next to the voice path alone and
/// to chance: what was heard against the agent's answer to another recording (the next one; with
/// one recording only, its first half against the second half of the answer).
struct NotesListening {
  dsp::NoteFigures answer, voice_only, chance;
  /// Of pitch agreement: (answer − chance) / (voice_only − chance), NaN when voice <= chance.
  double notes_kept() const;
  nlohmann::json to_json() const;
};

struct RecordingListening {
  std::string name;
  dsp::ListeningFigures answer, voice_only;
  ReconstructionFigures reconstruction;
  NotesListening notes;
};

struct ListeningReport {
  std::vector<RecordingListening> recordings;
  dsp::ListeningFigures answer, voice_only;  ///< over every snippet of every recording
  ReconstructionFigures reconstruction;
  NotesListening notes;  ///< every recording's figures pooled (dsp::pool)
  nlohmann::json to_json() const;
};

/// A sung answer and how closely it follows what was heard.
struct MeasuredAnswer {
  torch::Tensor audio;  ///< the song, as voice.render(sung_mel, gen) gives it
  dsp::ListeningFigures figures;
};

/// Renders `sung_mel` [n, n_mels, frames] with `voice` and compares the song, cut back at its
/// snippets' origins and heard with the agent's front end, with `heard_mel` (same shape); the
/// ratios compare with the song's other snippets. Consumes `gen` as voice.render does.
MeasuredAnswer sing_and_measure(const Agent& agent, const voice::Voice& voice, const torch::Tensor& heard_mel,
                                const torch::Tensor& sung_mel, torch::Generator& gen);

/// The agent's answer to each recording next to the voice path alone; ratios compare with the
/// answers to the other recordings (other snippets of the same one when there is one only).
/// Same seed ⇒ same figures. Throws what Agent::encode and Voice throw.
ListeningReport evaluate_listening(Agent& agent, const std::vector<HeardRecording>& heard, uint64_t seed);

}  // namespace mh::agent
