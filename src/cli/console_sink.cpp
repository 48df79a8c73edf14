#include "cli/console_sink.hpp"

#include <fmt/format.h>

#include <cmath>

namespace mh::cli {

namespace {

// How closely an imitation or variation follows what its singer heard (dsp/listening.hpp), and
// how many of its notes it keeps.
std::string listening_note(const nlohmann::json& e) {
  if (!e.contains("listening")) return "";
  const auto& l = e["listening"];
  const auto num = [&](const char* k) { return l.contains(k) && l[k].is_number() ? l[k].get<double>() : std::nan(""); };
  std::string note =
      fmt::format(", {:.1f} dB from what was heard (×{:.2f})", num("envelope_db"), num("envelope_ratio"));
  // The share of frames whose loudest pitch class the answer keeps (dsp/notes.hpp).
  const double pitch = num("pitch_agreement");
  if (!std::isnan(pitch)) note += fmt::format(", notes {:.0f} %", 100 * pitch);
  return note;
}

// The whole dataset's share beside the trained-on one that decides; sessions from before it
// was logged have none.
std::string with_held_out(const nlohmann::json& e) {
  if (!e.contains("human_fraction_dataset") || !e["human_fraction_dataset"].is_number()) return "";
  return fmt::format(" ({:.1f}% with held-out songs)", 100 * e["human_fraction_dataset"].get<double>());
}

}  // namespace

void ConsoleSink::on_event(const nlohmann::json& e) {
  const std::string type = e.value("type", "");
  std::string line;
  if (type == "round_start") {
    line = fmt::format("— round {} —", e["round"].get<int>());
  } else if (type == "song") {
    line = fmt::format("song {:>3}: {} sings {} ({:.1f} s){}", e["song"].get<int64_t>(), e["singer"].get<std::string>(),
                       e["kind"].get<std::string>(), e["duration_s"].get<double>(),
                       listening_note(e));
  } else if (type == "listen") {
    line = fmt::format("          {} listens and remembers: human share {:.1f}%{}", e["agent"].get<std::string>(),
                       100 * e["human_fraction"].get<double>(), with_held_out(e));
  } else if (type == "dream_start") {
    line = fmt::format("{} dreams ({}, {} snippets)…", e["agent"].get<std::string>(), e["policy"].get<std::string>(),
                       e["items"].get<int64_t>());
  } else if (type == "dream_end") {
    const auto& m = e["measures"];
    auto num = [&](const char* k) { return m.contains(k) && m[k].is_number() ? m[k].get<double>() : std::nan(""); };
    line = fmt::format("{} woke after {:.0f} s{}: human {:.1f}%{}, Fréchet {:.3g}, variance {:.2f}, forgetting {:.2f}",
                       e["agent"].get<std::string>(), e["seconds"].get<double>(),
                       e.value("out_of_time", false) ? " (budget spent)" : "", 100 * num("human_fraction"),
                       with_held_out(m),
                       num("frechet"), num("variance_ratio"), num("forgetting"));
  } else if (type == "emancipation") {
    line = fmt::format("*** {} (round {}, song {}: human share {:.1f}%) ***", e.value("line", std::string()),
                       e.value("round", 0), e.value("song", int64_t{0}), 100 * e.value("human_fraction", 0.0));
  } else if (type == "control" || type == "control_ignored" || type == "songs_pruned") {
    line = e.value("line", type);
  } else {
    return;
  }
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace mh::cli
