// metahuman evaluate: does the agent listen? Imitations of recordings compared with what was heard.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "agent/agent.hpp"
#include "agent/listening_evaluation.hpp"
#include "audio/audio_files.hpp"
#include "audio/read_audio.hpp"
#include "cli/cli_options.hpp"
#include "cli/commands.hpp"
#include "core/files.hpp"

namespace mh::cli {
namespace {

struct EvaluateOptions {
  AgentChoice agent;
  std::vector<std::string> inputs;
  std::string json;
  std::uint64_t seed = 0;
};

std::string row(const std::string& name, const dsp::ListeningFigures& a, const dsp::ListeningFigures& v) {
  return fmt::format("{:<28} {:>5} {:>7.2f} {:>7.2f} {:>7.2f} {:>6.2f} {:>6.2f} | {:>6.2f} {:>6.2f} {:>6.2f} {:>6.2f} {:>6.2f}",
                     name.size() > 28 ? name.substr(0, 25) + "..." : name, a.snippets, a.envelope_db, a.frames_db,
                     a.long_term_db, a.envelope_ratio, a.frames_ratio, v.envelope_db, v.frames_db, v.long_term_db,
                     v.envelope_ratio, v.frames_ratio);
}

std::string percent(double share) { return std::isnan(share) ? "-" : fmt::format("{:.0f}%", 100 * share); }

// Notes (dsp/notes.hpp): pitch agreement of the answer with its chance level, chroma similarity
// and onset correlation, the same for the voice alone, and the notes kept.
std::string notes_row(const std::string& name, const agent::NotesListening& n) {
  return fmt::format("{:<28} {:>6} {:>6} {:>6.2f} {:>6.2f} | {:>6} {:>6.2f} {:>6.2f} | {:>6}",
                     name.size() > 28 ? name.substr(0, 25) + "..." : name, percent(n.answer.pitch_agreement),
                     percent(n.chance.pitch_agreement), n.answer.chroma_similarity, n.answer.onset_correlation,
                     percent(n.voice_only.pitch_agreement), n.voice_only.chroma_similarity,
                     n.voice_only.onset_correlation, percent(n.notes_kept()));
}

void run_evaluate(const EvaluateOptions& o) {
  auto a = open_agent(o.agent);
  const int sr = a.settings().front_end.mel.sample_rate_hz;
  std::vector<agent::HeardRecording> heard;
  for (const auto& input : o.inputs) {
    for (const auto& path : audio::list_audio_files(input)) {
      heard.push_back({path.filename().string(), audio::read_audio(path.string(), sr).samples});
    }
  }
  const auto report = agent::evaluate_listening(a, heard, o.seed);
  fmt::print("{} imitating {} recordings (σ = 0); distances in dB, ratios: other answers / own answer\n", a.name(),
             heard.size());
  fmt::print("{:<28} {:>5} {:>7} {:>7} {:>7} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>6} {:>6}\n", "recording", "snip",
             "envelope", "frames", "l-term", "env×", "frm×", "voice alone: env", "frames", "l-term", "env×", "frm×");
  for (const auto& r : report.recordings) fmt::print("{}\n", row(r.name, r.answer, r.voice_only));
  fmt::print("{}\n", row("all", report.answer, report.voice_only));
  fmt::print("notes: pitch agreement (chance: {}), chroma similarity, onset correlation; kept = (answer − chance) / "
             "(voice − chance)\n",
             heard.size() > 1 ? "each recording against the answer to the next one"
                              : "the first half of the recording against the second half of its answer");
  fmt::print("{:<28} {:>6} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>6}\n", "recording", "pitch", "chance", "chroma",
             "onset", "voice", "chroma", "onset", "kept");
  for (const auto& r : report.recordings) fmt::print("{}\n", notes_row(r.name, r.notes));
  fmt::print("{}\n", notes_row("all", report.notes));
  const auto& r = report.reconstruction;
  fmt::print("ML1 reconstruction MSE {:.5f}; mean training snippet {:.5f} (×{:.2f}); each snippet's time-averaged "
             "spectrum {:.5f} (×{:.2f})\n", r.model, r.mean_snippet, r.model / r.mean_snippet, r.time_flat,
             r.model / r.time_flat);
  if (!o.json.empty()) {
    auto j = report.to_json();
    j["agent"] = a.name();
    j["ml1_version"] = a.ml1_version();
    j["seed"] = o.seed;
    write_file_atomic(o.json, j.dump(1));
    fmt::print("figures written to {}\n", o.json);
  }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto [cmd, o] =
      add_command(app, "evaluate",
                  "Imitate recordings (σ = 0) and measure how closely the answers follow what was heard, next to "
                  "the voice path alone",
                  run_evaluate);
  add_agent_options(cmd, o->agent);
  cmd->add_option("inputs", o->inputs, "Audio files or folders")->required();
  cmd->add_option("--json", o->json, "Also write the figures to this JSON file");
  cmd->add_option("--seed", o->seed, "Seed of the voice's Griffin-Lim phases");
}

}  // namespace mh::cli
