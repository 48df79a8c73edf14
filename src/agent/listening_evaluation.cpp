#include "agent/listening_evaluation.hpp"

#include <limits>

#include "agent/note_measure.hpp"
#include "core/json_checks.hpp"
#include "dsp/front_end.hpp"
#include "dsp/snippets.hpp"
#include "model/batch_norm_calibration.hpp"
#include "model/cpu_generator.hpp"

namespace mh::agent {

namespace {

// The song cut back into the snippets it was rendered from, as the agent hears snippets.
torch::Tensor heard_back(const dsp::SongAudio& song, const dsp::MelFrontEnd& front_end, int64_t snippet_samples) {
  return front_end.normalised(dsp::cut_at(song.audio, song.origins, snippet_samples));
}

// The mean of at most 1024 training snippets spread over the training split.
torch::Tensor mean_training_snippet(Agent& agent) {
  auto ids = agent.dataset().ids(corpus::Split::kTrain);
  if (ids.empty()) return {};
  ids = model::calibration_subset(ids, model::Ml1Trainer::kCalibrationSnippets);
  torch::Tensor sum;
  for (size_t s = 0; s < ids.size(); s += 64) {
    const std::vector<int64_t> part(ids.begin() + s, ids.begin() + std::min(ids.size(), s + 64));
    const auto x = agent.dataset().read(part).to(torch::kFloat64).sum(0);
    sum = sum.defined() ? sum + x : x;
  }
  return sum / static_cast<double>(ids.size());
}

ReconstructionFigures reconstruction_figures(const torch::Tensor& heard, const torch::Tensor& decoded,
                                             const torch::Tensor& mean_snippet) {
  ReconstructionFigures f;
  f.snippets = heard.size(0);
  if (f.snippets == 0) return f;
  const auto h = heard.to(torch::kFloat64);
  f.model = (h - decoded.to(torch::kFloat64)).pow(2).mean().item<double>();
  f.time_flat = (h - h.mean(2, true)).pow(2).mean().item<double>();
  f.mean_snippet = mean_snippet.defined() ? (h - mean_snippet).pow(2).mean().item<double>()
                                          : std::numeric_limits<double>::quiet_NaN();
  return f;
}

dsp::ListeningOptions listening_options(const Agent& agent) {
  const auto& mel = agent.settings().front_end.mel;
  return {mel.db_ceiling - mel.db_floor};
}

}  // namespace

MeasuredAnswer sing_and_measure(const Agent& agent, const voice::Voice& voice, const torch::Tensor& heard_mel,
                                const torch::Tensor& sung_mel, torch::Generator& gen) {
  const auto& fe = agent.settings().front_end;
  const auto song = voice.render_with_origins(sung_mel, gen);
  MeasuredAnswer out{song.audio, {}};
  if (heard_mel.size(0) == 0) return out;
  const auto back = heard_back(song, dsp::MelFrontEnd(fe.mel), fe.snippet.snippet_samples(fe.mel.sample_rate_hz));
  const std::vector<int64_t> one_song(static_cast<size_t>(heard_mel.size(0)), 0);
  out.figures = dsp::summarise(dsp::listening_distances(heard_mel, back, one_song, listening_options(agent)));
  return out;
}

double NotesListening::notes_kept() const {
  return dsp::notes_kept(answer.pitch_agreement, chance.pitch_agreement, voice_only.pitch_agreement);
}

nlohmann::json NotesListening::to_json() const {
  return {{"answer", answer.to_json()},
          {"voice_only", voice_only.to_json()},
          {"chance", chance.to_json()},
          {"notes_kept", number_or_null(notes_kept())}};
}

nlohmann::json ReconstructionFigures::to_json() const {
  return {{"snippets", snippets}, {"mse", number_or_null(model)}, {"mse_mean_snippet", number_or_null(mean_snippet)},
          {"mse_time_flat", number_or_null(time_flat)}};
}

nlohmann::json ListeningReport::to_json() const {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& r : recordings) {
    files.push_back({{"name", r.name},
                     {"answer", r.answer.to_json()},
                     {"voice_only", r.voice_only.to_json()},
                     {"reconstruction", r.reconstruction.to_json()},
                     {"notes", r.notes.to_json()}});
  }
  return {{"recordings", files},
          {"answer", answer.to_json()},
          {"voice_only", voice_only.to_json()},
          {"reconstruction", reconstruction.to_json()},
          {"notes", notes.to_json()}};
}

ListeningReport evaluate_listening(Agent& agent, const std::vector<HeardRecording>& heard, uint64_t seed) {
  const auto& fe = agent.settings().front_end;
  const dsp::MelFrontEnd front_end(fe.mel);
  const int sr = fe.mel.sample_rate_hz;
  const int64_t snippet_samples = fe.snippet.snippet_samples(sr);
  const auto voice = agent.voice();
  auto gen = model::cpu_generator(seed);
  const auto mean_snippet = mean_training_snippet(agent);
  std::vector<torch::Tensor> heard_mels, answers, voice_only, decoded;
  std::vector<dsp::NoteFeatures> heard_notes, answer_notes, voice_notes;
  std::vector<torch::Tensor> answer_audio;  // kept for the chance level of a lone recording
  std::vector<int64_t> groups;
  std::vector<std::vector<int64_t>> members(heard.size());
  for (size_t k = 0; k < heard.size(); ++k) {
    const auto mel = agent.mel_snippets(heard[k].audio);
    const auto sung_mel = voice.mel(agent.encode(mel));
    decoded.push_back(sung_mel);
    const auto answer = voice.render_with_origins(sung_mel, gen);
    const auto voice_alone = voice.render_with_origins(mel, gen);
    answers.push_back(heard_back(answer, front_end, snippet_samples));
    voice_only.push_back(heard_back(voice_alone, front_end, snippet_samples));
    heard_notes.push_back(note_features_at(heard[k].audio, sr));
    answer_notes.push_back(note_features_at(answer.audio, sr));
    voice_notes.push_back(note_features_at(voice_alone.audio, sr));
    if (heard.size() == 1) answer_audio.push_back(answer.audio);
    for (int64_t i = 0; i < mel.size(0); ++i) {
      members[k].push_back(static_cast<int64_t>(groups.size()));
      groups.push_back(static_cast<int64_t>(k));
    }
    heard_mels.push_back(mel);
  }
  ListeningReport report;
  if (groups.empty()) return report;
  const auto h = torch::cat(heard_mels);
  const auto options = listening_options(agent);
  const auto d_answer = dsp::listening_distances(h, torch::cat(answers), groups, options);
  const auto d_voice = dsp::listening_distances(h, torch::cat(voice_only), groups, options);
  report.reconstruction = reconstruction_figures(h, torch::cat(decoded), mean_snippet);
  report.answer = dsp::summarise(d_answer);
  report.voice_only = dsp::summarise(d_voice);
  std::vector<dsp::NoteFigures> pooled_answer, pooled_voice, pooled_chance;
  for (size_t k = 0; k < heard.size(); ++k) {
    NotesListening notes;
    notes.answer = dsp::compare_notes(heard_notes[k], answer_notes[k]);
    notes.voice_only = dsp::compare_notes(heard_notes[k], voice_notes[k]);
    if (heard.size() > 1) {
      notes.chance = dsp::compare_notes(heard_notes[k], answer_notes[(k + 1) % heard.size()]);
    } else {
      const auto& first = heard[k].audio;
      const auto& second = answer_audio[k];
      notes.chance =
          compare_notes_at(first.slice(0, 0, first.size(0) / 2), sr, second.slice(0, second.size(0) / 2), sr);
    }
    pooled_answer.push_back(notes.answer);
    pooled_voice.push_back(notes.voice_only);
    pooled_chance.push_back(notes.chance);
    report.recordings.push_back({heard[k].name, dsp::summarise(d_answer, members[k]), dsp::summarise(d_voice, members[k]),
                                 reconstruction_figures(heard_mels[k], decoded[k], mean_snippet), notes});
  }
  report.notes = {dsp::pool(pooled_answer), dsp::pool(pooled_voice), dsp::pool(pooled_chance)};
  return report;
}

}  // namespace mh::agent
