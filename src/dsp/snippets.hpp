#pragma once
/// Cutting a recording into fixed-length snippets, after dropping its silent stretches
/// (ref: the original's Snippets._delete_silence and _split_into_snippets, with their bugs fixed).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mh::dsp {

/// Root mean square of `signal` in dB relative to an amplitude of 1 (20·log10 √(Σx²/N));
/// −inf for an all-zero or empty signal. Computed in float64.
double rms_dbfs(const torch::Tensor& signal);

/// Drops every window of `window_samples` whose true RMS (√(Σx²/N), N = the window's own length)
/// is below `threshold_dbfs` (20·log10 of the RMS relative to amplitude 1) and joins the others
/// in order. The last, partial window is judged by its own RMS like the others. signal: [samples]
/// float → [kept samples] float32 (possibly empty). Throws ShapeError unless the signal is 1-D,
/// SettingsError when window_samples < 1 or the threshold is NaN.
torch::Tensor remove_silence(const torch::Tensor& signal, int64_t window_samples, double threshold_dbfs);

/// Consecutive snippets of `snippet_samples`: [samples] → [ceil(samples / snippet_samples),
/// snippet_samples] float32. The last snippet is zero-padded; a signal shorter than one snippet
/// gives one padded snippet; a signal that divides evenly gets no extra all-zero snippet; an
/// empty signal gives [0, snippet_samples]. Throws ShapeError unless the signal is 1-D,
/// SettingsError when snippet_samples < 1.
torch::Tensor cut_snippets(const torch::Tensor& signal, int64_t snippet_samples);

/// Snippets of `snippet_samples` that begin at `starts` (any integers): [starts.size(),
/// snippet_samples] float32, zero where a snippet reaches outside the signal. Throws ShapeError
/// unless the signal is 1-D, SettingsError when snippet_samples < 1.
torch::Tensor cut_at(const torch::Tensor& signal, const std::vector<int64_t>& starts, int64_t snippet_samples);

/// cut_snippets(remove_silence(signal, window_samples, threshold_dbfs), snippet_samples), copying
/// every kept sample once. Throws as those two do.
torch::Tensor cut_snippets_without_silence(const torch::Tensor& signal, int64_t window_samples,
                                           double threshold_dbfs, int64_t snippet_samples);

}  // namespace mh::dsp
