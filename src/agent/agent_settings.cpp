#include "agent/agent_settings.hpp"

#include <fmt/format.h>

#include <sstream>

#include "core/check.hpp"
#include "core/files.hpp"
#include "core/settings_fields.hpp"
#include "core/toml_section.hpp"
#include "dsp/settings_toml.hpp"

namespace mh::agent {
namespace {

const FieldTable<AgentSettings>& agent_fields() {
  using S = AgentSettings;
  static const FieldTable<S> table{
      {"name", "the agent's name: 1 to 64 characters, no spaces or slashes", &S::name},
      {"preset", "front-end preset the [mel] and [snippet] tables start from",
       one_of(&S::preset, dsp::front_end_preset_names())},
      {"device", "where the models run", one_of(&S::device, {"auto", "cpu", "cuda"})},
  };
  return table;
}

const FieldTable<corpus::IngestSettings>& ingest_fields() {
  using S = corpus::IngestSettings;
  static const FieldTable<S> table{
      {"stem", "part of each recording learnt from",
       enum_words(&S::stem, {{dsp::Stem::kAll, "all"}, {dsp::Stem::kHarmonic, "harmonic"},
                             {dsp::Stem::kPercussive, "percussive"}})},
      {"hpss_kernel", "median window of the stem separation (frames and bins), odd", &S::hpss_kernel, 1, 1023},
      {"max_seconds", "longer files are refused", &S::max_seconds, 0, 86400, Open::kLo},
      {"min_seconds", "files with less non-silent audio are refused", &S::min_seconds, 0, 60},
      {"mel_batch", "snippets per mel computation (bounds memory)", &S::mel_batch, 1, 4096},
  };
  return table;
}

/// The split's fields live in the [ingest] table, its seed as split_seed.
const FieldTable<corpus::SplitSettings>& ingest_split_fields() {
  using S = corpus::SplitSettings;
  static const FieldTable<S> table{
      {"validation_fraction", "share of human songs held out for validation", &S::validation_fraction, 0, 0.5},
      {"reference_fraction", "share of human songs held out as the conversation's reference",
       &S::reference_fraction, 0, 0.5},
      {"split_seed", "changes which songs are held out", &S::seed},
  };
  return table;
}

void read_ingest(TomlSection t, corpus::IngestSettings& out) {
  read_fields(ingest_fields(), t, out);
  read_fields(ingest_split_fields(), t, out.split);
  t.reject_unknown_keys();
}

template <typename S>
void read_model_table(TomlSection t, const FieldTable<S>& fields, S& out) {
  read_fields(fields, t, out);
  t.reject_unknown_keys();
}

template <typename S>
toml::table toml_of(const FieldTable<S>& fields, const S& s) {
  toml::table t;
  write_fields(fields, s, t);
  return t;
}

}  // namespace

void AgentSettings::validate() const {
  validate_fields(agent_fields(), *this, "");
  if (name.empty() || name.size() > 64 || name.find_first_of("/\\ \t\n") != std::string::npos) {
    throw SettingsError(fmt::format("name = '{}' is not allowed: 1 to 64 characters, no spaces or slashes", name));
  }
  front_end.validate();
  voice.validate();
  validate_fields(ingest_fields(), ingest, "ingest.");
  validate_fields(ingest_split_fields(), ingest.split, "ingest.");
  const double held_out = ingest.split.validation_fraction + ingest.split.reference_fraction;
  if (held_out > 0.8) {
    throw SettingsError(fmt::format(
        "ingest.validation_fraction + ingest.reference_fraction = {} is out of range: allowed at most 0.8", held_out));
  }
  ingest.validate();  // what no table says: an odd hpss_kernel
  ml1.validate();
  ml2.validate();
}

AgentSettings parse_agent_settings(const std::string& text, const std::string& source) {
  const auto doc = parse_toml(text, source);
  AgentSettings s;
  try {
    TomlSection root(&doc, "");
    read_fields(agent_fields(), root, s);
    s.front_end = dsp::front_end_preset(s.preset);
    dsp::read_front_end_and_voice(root, s.front_end, s.voice);
    read_ingest(root.section("ingest"), s.ingest);
    read_model_table(root.section("ml1"), model::ml1_fields(), s.ml1);
    read_model_table(root.section("ml2"), model::ml2_fields(), s.ml2);
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
  toml::table doc = toml_of(agent_fields(), s);
  dsp::write_front_end_and_voice(s.front_end, s.voice, doc);
  toml::table ingest = toml_of(ingest_fields(), s.ingest);
  write_fields(ingest_split_fields(), s.ingest.split, ingest);
  doc.insert("ingest", std::move(ingest));
  doc.insert("ml1", toml_of(model::ml1_fields(), s.ml1));
  doc.insert("ml2", toml_of(model::ml2_fields(), s.ml2));
  std::ostringstream out;
  out << "# Meta Human agent settings (effective values)\n" << doc << "\n";
  return out.str();
}

std::string describe_agent_settings() {
  const AgentSettings d;
  return describe_fields(agent_fields(), d, "") + dsp::describe_front_end_and_voice(d.front_end, d.voice) +
         "[ingest]\n" + describe_fields(ingest_fields(), d.ingest, "") +
         describe_fields(ingest_split_fields(), d.ingest.split, "") + "[ml1]\n" +
         describe_fields(model::ml1_fields(), d.ml1, "") + "[ml2]\n" + describe_fields(model::ml2_fields(), d.ml2, "");
}

void save_agent_settings(const std::filesystem::path& path, const AgentSettings& settings) {
  write_file_atomic(path, to_toml_text(settings));
}

}  // namespace mh::agent
