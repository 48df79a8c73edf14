// metahuman notes: how many of one recording's notes another keeps, with no agent involved, so
// that any program's answer (another model, a person, a chain's pass) is measured the same way.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "agent/note_measure.hpp"
#include "audio/read_audio.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "core/files.hpp"

namespace mh::cli {
namespace {

struct NotesOptions {
  std::string heard;
  std::string answer;
  std::string json;
};

// The measure's own rate: resampling once here leaves note_features_at nothing to do.
constexpr int kReadRateHz = dsp::kNoteRateHz;

void run_notes(const NotesOptions& o) {
  const auto heard = audio::read_audio(o.heard, kReadRateHz).samples;
  const auto answer = audio::read_audio(o.answer, kReadRateHz).samples;
  const auto f = agent::compare_notes_at(heard, kReadRateHz, answer, kReadRateHz);
  const auto share = [](double x) { return std::isnan(x) ? std::string("-") : fmt::format("{:.1f}%", 100 * x); };
  fmt::print("{} against {}: pitch agreement {}, chroma similarity {:.3f}, onset correlation {:.3f}, {} frames "
             "(docs/notes.md)\n",
             o.answer, o.heard, share(f.pitch_agreement), f.chroma_similarity, f.onset_correlation, f.frames);
  if (!o.json.empty()) {
    auto j = f.to_json();
    j["heard"] = o.heard;
    j["answer"] = o.answer;
    write_file_atomic(o.json, j.dump(1) + "\n");
  }
}

}  // namespace

void add_notes_command(CLI::App& app) {
  auto [cmd, o] = add_command(app, "notes",
                              "How many of a recording's notes another recording keeps: pitch-class agreement, "
                              "chroma similarity and onset correlation, aligned as the voice drifts",
                              run_notes);
  cmd->add_option("heard", o->heard, "What was heard (audio file)")->required();
  cmd->add_option("answer", o->answer, "The answer to it (audio file)")->required();
  cmd->add_option("--json", o->json, "Also write the figures to this JSON file");
}

}  // namespace mh::cli
