#include "agent/note_measure.hpp"

#include "audio/resample.hpp"

namespace mh::agent {

dsp::NoteFeatures note_features_at(const torch::Tensor& audio, int sample_rate_hz) {
  return dsp::note_features(audio::resample(audio, sample_rate_hz, dsp::kNoteRateHz));
}

dsp::NoteFigures compare_notes_at(const torch::Tensor& heard, int heard_rate_hz, const torch::Tensor& answer,
                                  int answer_rate_hz) {
  return dsp::compare_notes(note_features_at(heard, heard_rate_hz), note_features_at(answer, answer_rate_hz));
}

}  // namespace mh::agent
