#pragma once
/// The notes measure (dsp/notes.hpp) on audio at the rate it was made at: resampled to
/// dsp::kNoteRateHz first, since dsp does not depend on the audio stage.
#include <torch/torch.h>

#include "dsp/notes.hpp"

namespace mh::agent {

/// audio: mono [samples] float at sample_rate_hz → its note features. Throws ShapeError when
/// audio is not 1-D, SettingsError for a rate outside the audio stage's range.
dsp::NoteFeatures note_features_at(const torch::Tensor& audio, int sample_rate_hz);

/// An answer's note figures against what was heard, each at its own rate. Throws as
/// note_features_at.
dsp::NoteFigures compare_notes_at(const torch::Tensor& heard, int heard_rate_hz, const torch::Tensor& answer,
                                  int answer_rate_hz);

}  // namespace mh::agent
