#pragma once
/// What an agent does with its voice: imitate what it heard, vary it, sing an excerpt of a human
/// song it learned, compose a song of its own. Every song is made the same way wherever it is
/// asked for (a command or the conversation): same seed ⇒ same song.
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

#include "agent/agent.hpp"
#include "dsp/listening.hpp"
#include "dsp/notes.hpp"

namespace mh::agent {

/// A song the agent sang.
struct SungSong {
  torch::Tensor latents;  ///< its latent path [n, D] float32 on the CPU
  torch::Tensor audio;    ///< mono [samples] float32 at the agent's sample rate
  /// For a song that answers what was heard: how closely it follows it (dsp/listening.hpp).
  std::optional<dsp::ListeningFigures> listening;
  /// For a song that answers a heard recording: the notes it keeps of it (dsp/notes.hpp).
  std::optional<dsp::NoteFigures> notes;
};

/// latents [n, D] + σ·N(0, 1), the noise drawn from `gen` as float32; σ = 0 returns `latents`
/// and draws nothing. Throws SettingsError for σ < 0 or not finite.
torch::Tensor vary_latents(const torch::Tensor& latents, double sigma, torch::Generator& gen);

/// The agent's imitation of heard snippets (normalised mel [n, n_mels, frames] as its front end
/// makes them): their ML1 latents sung back, measured against what was heard. Consumes `gen` as
/// voice().render does. Throws what Agent::encode and the voice throw.
SungSong imitate(const Agent& agent, const torch::Tensor& heard_mel, torch::Generator& gen);

/// As imitate, with vary_latents(σ) applied to the latents before singing (the noise is drawn
/// first, then the voice's phases). σ = 0 is imitate.
SungSong vary(const Agent& agent, const torch::Tensor& heard_mel, double sigma, torch::Generator& gen);

/// The agent's answer to a heard recording (mono [samples] at the agent's rate): vary on its
/// mel snippets (the same song as vary(agent, agent.mel_snippets(heard_audio), σ, gen)), with
/// the notes the answer keeps of the recording. Throws as vary.
SungSong answer_recording(const Agent& agent, const torch::Tensor& heard_audio, double sigma, torch::Generator& gen);

/// A recording at the agent's rate → its latent path [n, D] (Agent::mel_snippets, then encode).
torch::Tensor latent_path(const Agent& agent, const torch::Tensor& audio);

/// A stretch of a human training song of the agent's dataset.
struct Excerpt {
  int64_t song_id = 0;
  std::string title;
  int64_t first = 0;   ///< first snippet
  int64_t count = 0;   ///< snippets
  torch::Tensor mel;   ///< the stored snippets [count, n_mels, frames]
};

/// Draws, with `gen`, a human training song (depth 0, train split) and an excerpt of it of
/// min_s to max_s seconds (whole snippets, at least one; the whole song when shorter). Throws
/// DatasetError when the dataset holds no human training song.
Excerpt pick_excerpt(const Agent& agent, double min_s, double max_s, torch::Generator& gen);

/// As pick_excerpt, but the excerpt is the window [from_s, to_s) of the drawn song (whole
/// snippets; a shorter song is sung whole, a window past its end is moved back: window_snippets),
/// as the original sang the 20 → 40 s window. Draws the song only. Throws as pick_excerpt and
/// SettingsError for a window that window_snippets refuses.
Excerpt pick_window_excerpt(const Agent& agent, double from_s, double to_s, torch::Generator& gen);

/// The agent sings a latent path [n, D] it did not encode now (the original decoded a song's
/// stored path with its current ML1), measured against `heard_mel` [n, n_mels, frames], the
/// snippets the path stands for. Consumes `gen` as voice().render does.
SungSong sing_path(const Agent& agent, const torch::Tensor& latents, const torch::Tensor& heard_mel,
                   torch::Generator& gen);

/// A machine song: Agent::compose(1, seconds, gen), sung by the voice with the same generator.
/// Throws as Agent::compose.
SungSong compose_song(Agent& agent, double seconds, torch::Generator& gen);

}  // namespace mh::agent
