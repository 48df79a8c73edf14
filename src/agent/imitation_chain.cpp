#include "agent/imitation_chain.hpp"

#include <fmt/format.h>

#include <cmath>

#include "agent/agent_voice.hpp"
#include "agent/note_measure.hpp"
#include "audio/resample.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/json_checks.hpp"
#include "core/seed_mix.hpp"
#include "core/shape.hpp"
#include "model/cpu_generator.hpp"

namespace mh::agent {

void ChainSettings::validate() const {
  check_range("passes", passes, 1, 1000);
  check_range("seconds", seconds, 0.0, 86400.0);
}

nlohmann::json ChainPass::to_json() const {
  nlohmann::json j{{"pass", pass},
                   {"singer", singer},
                   {"seed", seed},
                   {"sample_rate_hz", sample_rate_hz},
                   {"duration_s", sample_rate_hz ? static_cast<double>(audio.numel()) / sample_rate_hz : 0.0},
                   {"original", original.to_json()},
                   {"previous", previous.to_json()}};
  if (listening) j["listening"] = listening->to_json();
  return j;
}

std::optional<int> ChainResult::half_pass() const {
  if (passes.empty()) return std::nullopt;
  const double first = passes.front().original.pitch_agreement;
  if (!(first > 0)) return std::nullopt;
  for (const auto& p : passes) {
    if (p.original.pitch_agreement <= first / 2) return p.pass;
  }
  return std::nullopt;
}

nlohmann::json ChainResult::to_json() const {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& p : passes) curve.push_back(p.to_json());
  const auto half = half_pass();
  return {{"passes", curve},
          {"first_pitch_agreement", passes.empty() ? nlohmann::json(nullptr)
                                                   : number_or_null(passes.front().original.pitch_agreement)},
          {"half_pass", half ? nlohmann::json(*half) : nlohmann::json(nullptr)}};
}

ChainResult imitation_chain(const Agent& a, const Agent& b, const torch::Tensor& excerpt, int excerpt_rate_hz,
                            const ChainSettings& settings, const ChainProgress& on_pass) {
  settings.validate();
  auto heard = excerpt;
  if (settings.seconds > 0) {
    heard = heard.slice(0, 0, static_cast<int64_t>(std::llround(settings.seconds * excerpt_rate_hz)));
  }
  if (heard.dim() != 1 || heard.numel() == 0) {
    throw InputError(fmt::format("imitation chain: the excerpt has shape {}, expected [samples] with samples > 0",
                                 shape_string(heard.sizes())));
  }
  const auto original = note_features_at(heard, excerpt_rate_hz);
  int heard_rate = excerpt_rate_hz;
  ChainResult result;
  for (int p = 1; p <= settings.passes; ++p) {
    const Agent& singer = p % 2 ? a : b;
    const int rate = singer.settings().front_end.mel.sample_rate_hz;
    ChainPass pass;
    pass.pass = p;
    pass.singer = singer.name();
    pass.seed = mix_seed(settings.seed, static_cast<std::uint64_t>(p));
    pass.sample_rate_hz = rate;
    auto gen = model::cpu_generator(pass.seed);
    auto song = answer_recording(singer, audio::resample(heard, heard_rate, rate), 0.0, gen);
    if (song.audio.numel() == 0) {
      // Its voice trims every snippet at zero crossings: a pass can come back empty, and the next
      // would have nothing to hear.
      throw InputError(fmt::format("imitation chain: pass {}: {} sang nothing back from {:.3f} s of audio", p,
                                   singer.name(), static_cast<double>(heard.numel()) / heard_rate));
    }
    pass.audio = song.audio;
    pass.latents = song.latents;
    pass.listening = song.listening;
    pass.previous = song.notes.value_or(dsp::NoteFigures{});
    pass.original = dsp::compare_notes(original, note_features_at(pass.audio, rate));
    if (on_pass) on_pass(pass);
    heard = pass.audio;
    heard_rate = rate;
    result.passes.push_back(std::move(pass));
  }
  return result;
}

}  // namespace mh::agent
