#include "agent/agent_voice.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "agent/listening_evaluation.hpp"
#include "agent/note_measure.hpp"
#include "agent/song_window.hpp"
#include "core/errors.hpp"

namespace mh::agent {

torch::Tensor vary_latents(const torch::Tensor& latents, double sigma, torch::Generator& gen) {
  if (!(std::isfinite(sigma) && sigma >= 0)) {
    throw SettingsError(fmt::format("variation sigma = {} is out of range: allowed [0, inf)", sigma));
  }
  // σ = 0 draws nothing, so that an imitation leaves the voice's phases where they were.
  if (sigma == 0) return latents;
  return latents + sigma * torch::randn(latents.sizes(), gen, torch::kFloat32);
}

SungSong sing_path(const Agent& agent, const torch::Tensor& latents, const torch::Tensor& heard_mel,
                   torch::Generator& gen) {
  SungSong out;
  out.latents = latents;
  const auto voice = agent.voice();
  auto answer = sing_and_measure(agent, voice, heard_mel, voice.mel(out.latents), gen);
  out.audio = answer.audio;
  out.listening = answer.figures;
  return out;
}

SungSong vary(const Agent& agent, const torch::Tensor& heard_mel, double sigma, torch::Generator& gen) {
  return sing_path(agent, vary_latents(agent.encode(heard_mel), sigma, gen), heard_mel, gen);
}

SungSong imitate(const Agent& agent, const torch::Tensor& heard_mel, torch::Generator& gen) {
  return vary(agent, heard_mel, 0.0, gen);
}

SungSong answer_recording(const Agent& agent, const torch::Tensor& heard_audio, double sigma, torch::Generator& gen) {
  auto out = vary(agent, agent.mel_snippets(heard_audio), sigma, gen);
  const int rate = agent.settings().front_end.mel.sample_rate_hz;
  out.notes = compare_notes_at(heard_audio, rate, out.audio, rate);
  return out;
}

torch::Tensor latent_path(const Agent& agent, const torch::Tensor& audio) {
  return agent.encode(agent.mel_snippets(audio));
}

namespace {

/// Draws one of the agent's human training songs with `gen`.
int64_t draw_human_song(const Agent& agent, torch::Generator& gen) {
  std::vector<int64_t> candidates;
  for (const auto& song : agent.dataset().manifest().songs()) {
    if (song.provenance.depth == 0 && song.provenance.split == corpus::Split::kTrain) candidates.push_back(song.id);
  }
  if (candidates.empty()) {
    throw DatasetError(fmt::format("{}: no human training song to sing", agent.dir().string()));
  }
  const int64_t pick = torch::randint(static_cast<int64_t>(candidates.size()), {1}, gen, torch::kInt64).item<int64_t>();
  return candidates[static_cast<size_t>(pick)];
}

}  // namespace

Excerpt pick_excerpt(const Agent& agent, double min_s, double max_s, torch::Generator& gen) {
  // The draws, in this order, are part of what a seed means: the song, the length, the start.
  Excerpt e;
  e.song_id = draw_human_song(agent, gen);
  const auto& stored = agent.dataset().manifest().song(e.song_id);
  e.title = stored.record.title;
  const double len_s = min_s + (max_s - min_s) * torch::rand({1}, gen).item<double>();
  const double snippet_s = agent.settings().front_end.snippet.seconds;
  const int64_t want = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(len_s / snippet_s)));
  e.count = std::min(want, stored.n_snippets());
  e.first = stored.n_snippets() > e.count
                ? torch::randint(stored.n_snippets() - e.count + 1, {1}, gen, torch::kInt64).item<int64_t>()
                : 0;
  e.mel = agent.dataset().read_song(e.song_id).slice(0, e.first, e.first + e.count).squeeze(1);
  return e;
}

Excerpt pick_window_excerpt(const Agent& agent, double from_s, double to_s, torch::Generator& gen) {
  Excerpt e;
  e.song_id = draw_human_song(agent, gen);
  const auto& stored = agent.dataset().manifest().song(e.song_id);
  e.title = stored.record.title;
  const auto range = window_snippets(stored.n_snippets(), agent.settings().front_end.snippet.seconds, from_s, to_s);
  e.first = range.first;
  e.count = range.size();
  e.mel = agent.dataset().read_song(e.song_id).slice(0, e.first, e.first + e.count).squeeze(1);
  return e;
}

SungSong compose_song(Agent& agent, double seconds, torch::Generator& gen) {
  SungSong out;
  out.latents = agent.compose(1, seconds, gen).front();
  out.audio = agent.voice().sing(out.latents, gen);
  return out;
}

}  // namespace mh::agent
