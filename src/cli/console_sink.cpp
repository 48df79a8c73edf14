#include "cli/console_sink.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

namespace mh::cli {
namespace ev = conversation::events;

namespace {

// How closely an imitation or variation follows what its singer heard (dsp/listening.hpp), and
// how many of its notes it keeps. The figures are docs/measures.md's, not event fields.
std::string listening_note(const ev::Song& e) {
  if (!e.listening) return "";
  const auto& l = *e.listening;
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
std::string with_held_out(std::optional<double> share) {
  if (!share || std::isnan(*share)) return "";
  return fmt::format(" ({:.1f}% with held-out songs)", 100 * *share);
}

// The same figure as a dream's measures hold it (measures.jsonl's key).
std::optional<double> held_out_of(const nlohmann::json& measures) {
  const auto it = measures.find("human_fraction_dataset");
  if (it == measures.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

void ConsoleSink::on_event(const ev::Event& event) {
  std::string line;
  if (const auto* e = ev::get_if<ev::RoundStart>(event)) {
    line = fmt::format("— round {} —", e->round);
  } else if (const auto* e = ev::get_if<ev::Song>(event)) {
    line = fmt::format("song {:>3}: {} sings {} ({:.1f} s){}", e->song, e->singer, e->kind, e->duration_s,
                       listening_note(*e));
  } else if (const auto* e = ev::get_if<ev::Listen>(event)) {
    line = fmt::format("          {} listens and remembers: human share {:.1f}%{}", e->agent, 100 * e->human_fraction,
                       with_held_out(e->human_fraction_dataset));
  } else if (const auto* e = ev::get_if<ev::DreamStart>(event)) {
    line = fmt::format("{} dreams ({}, {} snippets)…", e->agent, e->policy, e->items);
  } else if (const auto* e = ev::get_if<ev::DreamEnd>(event)) {
    const auto& m = e->measures;
    auto num = [&](const char* k) { return m.contains(k) && m[k].is_number() ? m[k].get<double>() : std::nan(""); };
    line = fmt::format("{} woke after {:.0f} s{}: human {:.1f}%{}, Fréchet {:.3g}, variance {:.2f}, forgetting {:.2f}",
                       e->agent, e->seconds, e->out_of_time.value_or(false) ? " (budget spent)" : "",
                       100 * num("human_fraction"), with_held_out(held_out_of(m)), num("frechet"),
                       num("variance_ratio"), num("forgetting"));
  } else if (const auto* e = ev::get_if<ev::Emancipation>(event)) {
    line = fmt::format("*** {} (round {}, song {}: human share {:.1f}%) ***", e->line, e->round, e->song,
                       100 * e->human_fraction);
  } else if (const auto* e = ev::get_if<ev::Control>(event)) {
    line = e->line;
  } else if (const auto* e = ev::get_if<ev::ControlIgnored>(event)) {
    line = e->line;
  } else if (const auto* e = ev::get_if<ev::SongsPruned>(event)) {
    line = e->line;
  } else {
    return;
  }
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace mh::cli
