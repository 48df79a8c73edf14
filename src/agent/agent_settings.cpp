#include "agent/agent_settings.hpp"

#include <fmt/format.h>

#include <sstream>

#include "core/check.hpp"
#include "core/files.hpp"
#include "core/toml_section.hpp"
#include "dsp/settings_toml.hpp"

namespace mh::agent {
namespace {

std::string stem_name(dsp::Stem s) {
  switch (s) {
    case dsp::Stem::kHarmonic: return "harmonic";
    case dsp::Stem::kPercussive: return "percussive";
    default: return "all";
  }
}

void read_ingest(TomlSection& t, corpus::IngestSettings& out) {
  std::string stem = stem_name(out.stem);
  t.read("stem", stem);
  check_choice(t.key_name("stem"), stem, stem == "all" || stem == "harmonic" || stem == "percussive",
               "all, harmonic, percussive");
  out.stem = stem == "harmonic" ? dsp::Stem::kHarmonic : stem == "percussive" ? dsp::Stem::kPercussive : dsp::Stem::kAll;
  t.read("hpss_kernel", out.hpss_kernel);
  t.read("max_seconds", out.max_seconds);
  t.read("min_seconds", out.min_seconds);
  t.read("mel_batch", out.mel_batch);
  t.read("validation_fraction", out.split.validation_fraction);
  t.read("reference_fraction", out.split.reference_fraction);
  t.read("split_seed", out.split.seed);
  t.reject_unknown_keys();
}

toml::table ingest_table(const corpus::IngestSettings& s) {
  return toml::table{{"stem", stem_name(s.stem)},
                     {"hpss_kernel", s.hpss_kernel},
                     {"max_seconds", s.max_seconds},
                     {"min_seconds", s.min_seconds},
                     {"mel_batch", s.mel_batch},
                     {"validation_fraction", s.split.validation_fraction},
                     {"reference_fraction", s.split.reference_fraction},
                     {"split_seed", static_cast<int64_t>(s.split.seed)}};
}

void read_ml1(TomlSection& t, model::Ml1Settings& out) {
  t.read("preset", out.preset);
  t.read("latent_dim", out.latent_dim);
  t.read("reconstruction_weight", out.reconstruction_weight);
  t.read("learning_rate", out.learning_rate);
  t.read("batch_size", out.batch_size);
  t.read("epochs", out.epochs);
  t.read("seed", out.seed);
  t.read("augment_time_roll", out.augment_time_roll);
  t.read("augment_mel_shift", out.augment_mel_shift);
  t.read("warmup_steps", out.warmup_steps);
  t.reject_unknown_keys();
}

toml::table ml1_table(const model::Ml1Settings& s) {
  return toml::table{{"preset", s.preset},
                     {"latent_dim", s.latent_dim},
                     {"reconstruction_weight", s.reconstruction_weight},
                     {"learning_rate", s.learning_rate},
                     {"batch_size", s.batch_size},
                     {"epochs", s.epochs},
                     {"seed", static_cast<int64_t>(s.seed)},
                     {"augment_time_roll", s.augment_time_roll},
                     {"augment_mel_shift", s.augment_mel_shift},
                     {"warmup_steps", s.warmup_steps}};
}

void read_ml2(TomlSection& t, model::Ml2Settings& out) {
  t.read("preset", out.preset);
  t.read("latent_dim", out.latent_dim);
  t.read("hidden", out.hidden);
  t.read("max_length", out.max_length);
  t.read("learning_rate", out.learning_rate);
  t.read("batch_size", out.batch_size);
  t.read("epochs", out.epochs);
  t.read("kl_weight", out.kl_weight);
  t.read("stop_weight", out.stop_weight);
  t.read("validation_fraction", out.validation_fraction);
  t.read("seed", out.seed);
  t.reject_unknown_keys();
}

toml::table ml2_table(const model::Ml2Settings& s) {
  return toml::table{{"preset", s.preset},         {"latent_dim", s.latent_dim},
                     {"hidden", s.hidden},         {"max_length", s.max_length},
                     {"learning_rate", s.learning_rate}, {"batch_size", s.batch_size},
                     {"epochs", s.epochs},         {"kl_weight", s.kl_weight},
                     {"stop_weight", s.stop_weight}, {"validation_fraction", s.validation_fraction},
                     {"seed", static_cast<int64_t>(s.seed)}};
}

}  // namespace

void AgentSettings::validate() const {
  if (name.empty() || name.size() > 64 || name.find_first_of("/\\ \t\n") != std::string::npos) {
    throw SettingsError(fmt::format("name = '{}' is not allowed: 1 to 64 characters, no spaces or slashes", name));
  }
  check_choice("device", device, device == "auto" || device == "cpu" || device == "cuda", "auto, cpu, cuda");
  front_end.validate();
  voice.validate();
  ingest.validate();
  ml1.validate();
  ml2.validate();
}

AgentSettings parse_agent_settings(const std::string& text, const std::string& source) {
  const auto doc = parse_toml(text, source);
  AgentSettings s;
  try {
    TomlSection root(&doc, "");
    root.read("name", s.name);
    root.read("preset", s.preset);
    root.read("device", s.device);
    s.front_end = dsp::front_end_preset(s.preset);
    auto mel = root.section("mel");
    dsp::read_toml(mel, s.front_end.mel);
    auto snippet = root.section("snippet");
    dsp::read_toml(snippet, s.front_end.snippet);
    auto voice = root.section("voice");
    dsp::read_toml(voice, s.voice);
    auto ingest = root.section("ingest");
    read_ingest(ingest, s.ingest);
    auto ml1 = root.section("ml1");
    read_ml1(ml1, s.ml1);
    auto ml2 = root.section("ml2");
    read_ml2(ml2, s.ml2);
    root.reject_unknown_keys();
    s.validate();
  } catch (const SettingsError& e) {
    throw SettingsError(fmt::format("{}: {}", source, e.what()));
  }
  return s;
}

AgentSettings load_agent_settings(const std::filesystem::path& path) {
  return parse_agent_settings(read_file(path, 1 << 20), path.string());
}

std::string to_toml_text(const AgentSettings& s) {
  const toml::table doc{{"name", s.name},
                        {"preset", s.preset},
                        {"device", s.device},
                        {"mel", dsp::to_toml(s.front_end.mel)},
                        {"snippet", dsp::to_toml(s.front_end.snippet)},
                        {"voice", dsp::to_toml(s.voice)},
                        {"ingest", ingest_table(s.ingest)},
                        {"ml1", ml1_table(s.ml1)},
                        {"ml2", ml2_table(s.ml2)}};
  std::ostringstream out;
  out << "# Meta Human agent settings (effective values)\n" << doc << "\n";
  return out.str();
}

void save_agent_settings(const std::filesystem::path& path, const AgentSettings& settings) {
  write_file_atomic(path, to_toml_text(settings));
}

}  // namespace mh::agent
