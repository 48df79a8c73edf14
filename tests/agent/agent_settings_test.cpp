// agent.toml through the field tables: the file format stays the one earlier versions wrote and
// read, every error names the key as written, and --describe-settings lists every key. Also the
// ML settings' JSON inside checkpoints.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "agent/agent_settings.hpp"
#include "core/errors.hpp"

namespace mh::agent {
namespace {

/// What to_toml_text(AgentSettings{}) wrote before the settings had field tables.
const char* const kEarlierDefaultAgentToml = R"(# Meta Human agent settings (effective values)
device = 'auto'
name = 'Valerio'
preset = '2.0_128'

[ingest]
hpss_kernel = 31
max_seconds = 10800.0
mel_batch = 64
min_seconds = 0.10000000000000001
reference_fraction = 0.10000000000000001
split_seed = 0
stem = 'all'
validation_fraction = 0.10000000000000001

[mel]
amin = 1e-10
db_ceiling = 100.0
db_floor = -100.0
fmax_hz = 16000.0
fmin_hz = 0.0
hop_length = 690
n_fft = 1380
n_mels = 128
norm = 'slaney'
sample_rate_hz = 44100
scale = 'slaney'
top_db = 80.0
win_length = 1380

[ml1]
augment_mel_shift = 0
augment_time_roll = false
batch_size = 16
epochs = 40
latent_dim = 128
learning_rate = 0.002
loss = 'l1'
lr_decay_epochs = 40
lr_final_fraction = 0.050000000000000003
preset = 'notes'
reconstruction_weight = 10000000.0
seed = 0
warmup_steps = 200

[ml2]
batch_size = 16
epochs = 50
hidden = 256
kl_weight = 0.001
latent_dim = 32
learning_rate = 0.001
max_length = 512
preset = 'sequence'
seed = 0
stop_weight = 1.0
validation_fraction = 0.10000000000000001

[snippet]
seconds = 2.0
silence_threshold_dbfs = -60.0
silence_window_seconds = 2.0

[voice]
clip_db = 20.0
crossfade_samples = 820
griffin_lim_iterations = 32
init = 'random'
mel_inverse = 'nnls'
momentum = 0.98999999999999999
nnls_iterations = 10
pinv_rcond = 0.001
)";

/// Checkpoints' settings JSON as earlier versions wrote it for the defaults.
const char* const kEarlierMl1Json = R"({"augment_mel_shift":0,"augment_time_roll":false,"batch_size":16,"epochs":30,"latent_dim":128,"learning_rate":0.002,"preset":"fast","reconstruction_weight":10000000.0,"seed":0,"validation_fraction":0.1,"warmup_steps":200})";
const char* const kMl1Json = R"({"augment_mel_shift":0,"augment_time_roll":false,"batch_size":16,"epochs":40,"latent_dim":128,"learning_rate":0.002,"loss":"l1","lr_decay_epochs":40,"lr_final_fraction":0.05,"preset":"notes","reconstruction_weight":10000000.0,"seed":0,"validation_fraction":0.1,"warmup_steps":200})";
const char* const kEarlierMl2Json = R"({"batch_size":16,"epochs":50,"hidden":256,"kl_weight":0.001,"latent_dim":32,"learning_rate":0.001,"max_length":512,"preset":"sequence","seed":0,"stop_weight":1.0,"validation_fraction":0.1})";

/// The [ml2] table of the defaults since the autoregressive preset became the default: its six
/// keys added, preset, hidden and input_noise changed.
const char* const kDefaultMl2Table = R"([ml2]
batch_size = 16
crop_max = 64
crop_min = 8
crops_per_song = 8
epochs = 50
hidden = 64
input_noise = 0.5
kl_weight = 0.001
latent_dim = 32
learning_rate = 0.001
max_length = 512
mixtures = 4
preset = 'autoregressive'
seed = 0
stop_weight = 1.0
temperature = 1.0
validation_fraction = 0.10000000000000001
)";

/// The earlier [ml2] table read back: its values, and the autoregressive preset's keys at their
/// defaults.
const char* const kEarlierMl2TableReadBack = R"([ml2]
batch_size = 16
crop_max = 64
crop_min = 8
crops_per_song = 8
epochs = 50
hidden = 256
input_noise = 0.5
kl_weight = 0.001
latent_dim = 32
learning_rate = 0.001
max_length = 512
mixtures = 4
preset = 'sequence'
seed = 0
stop_weight = 1.0
temperature = 1.0
validation_fraction = 0.10000000000000001
)";

const char* const kAutoregressiveJsonKeys =
    R"("crop_max":64,"crop_min":8,"crops_per_song":8,"epochs":50,"hidden":256,"input_noise":0.5,)";

/// `toml` with its [ml2] table replaced by `table`.
std::string with_ml2_table(const std::string& toml, const std::string& table) {
  const auto from = toml.find("[ml2]\n");
  const auto to = toml.find("\n\n[", from) + 1;  // the blank line before the next table stays
  return toml.substr(0, from) + table + toml.substr(to);
}

/// The SettingsError message `f` throws ("" if none).
template <typename F>
std::string message_of(F f) {
  try {
    f();
    return "";
  } catch (const SettingsError& e) {
    return e.what();
  }
}

std::string error_of(const std::string& text) {
  return message_of([&] { parse_agent_settings(text, "agent.toml"); });
}

AgentSettings changed_settings() {
  AgentSettings s;
  s.name = "Tiny";
  s.preset = "0.25_16";
  s.device = "cpu";
  s.front_end = dsp::front_end_preset("0.25_16");
  s.front_end.snippet.silence_window_seconds = 0.25;
  s.front_end.mel.scale = dsp::MelScale::kHtk;
  s.voice.griffin_lim_iterations = 4;
  s.voice.method = dsp::InversionSettings::MelInverse::kPseudoInverse;
  s.ingest.stem = dsp::Stem::kPercussive;
  s.ingest.split.seed = 77;
  s.ingest.mel_batch = 12;
  s.ml1.seed = 5;
  s.ml1.augment_time_roll = true;
  s.ml1.preset = "seed";
  s.ml2.preset = "dense";
  s.ml2.validation_fraction = 0.2;
  return s;
}

TEST(AgentSettingsFile, TheDefaultsAreWrittenAsBeforeButForTheAutoregressiveMl2) {
  EXPECT_EQ(to_toml_text(AgentSettings{}), with_ml2_table(kEarlierDefaultAgentToml, kDefaultMl2Table));
  // An earlier file keeps its values (its agent keeps the sequence preset) and gains the new keys.
  const auto earlier = parse_agent_settings(kEarlierDefaultAgentToml, "agent.toml");
  EXPECT_EQ(earlier.ml2.preset, "sequence");
  EXPECT_EQ(to_toml_text(earlier), with_ml2_table(kEarlierDefaultAgentToml, kEarlierMl2TableReadBack));
}

TEST(AgentSettingsFile, ChangedSettingsRoundTripThroughToml) {
  const auto text = to_toml_text(changed_settings());
  const auto back = parse_agent_settings(text, "agent.toml");
  EXPECT_EQ(to_toml_text(back), text);
  EXPECT_EQ(back.name, "Tiny");
  EXPECT_EQ(back.front_end.snippet.seconds, 0.25);
  EXPECT_EQ(back.front_end.mel.scale, dsp::MelScale::kHtk);
  EXPECT_EQ(back.voice.method, dsp::InversionSettings::MelInverse::kPseudoInverse);
  EXPECT_EQ(back.ingest.stem, dsp::Stem::kPercussive);
  EXPECT_EQ(back.ingest.split.seed, 77u);
  EXPECT_EQ(back.ingest.mel_batch, 12);
  EXPECT_EQ(back.ml1.seed, 5u);
  EXPECT_TRUE(back.ml1.augment_time_roll);
  EXPECT_EQ(back.ml1.preset, "seed");
  EXPECT_EQ(back.ml2.preset, "dense");
  EXPECT_EQ(back.ml2.validation_fraction, 0.2);
  EXPECT_NE(text.find("split_seed = 77\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stem = 'percussive'\n"), std::string::npos) << text;
}

TEST(AgentSettingsFile, APartialFileStartsFromItsPreset) {
  const auto s = parse_agent_settings("preset = '4.0_256'\n[ml2]\nepochs = 3\n", "agent.toml");
  EXPECT_EQ(s.front_end.snippet.seconds, 4.0);
  EXPECT_EQ(s.ml2.epochs, 3);
  EXPECT_EQ(s.ml1.epochs, AgentSettings{}.ml1.epochs);
}

TEST(AgentSettingsFile, ABadValueNamesTheKeyTheValueAndTheRange) {
  EXPECT_EQ(error_of("[ml1]\nlatent_dim = 0\n"), "agent.toml: ml1.latent_dim = 0 is out of range: allowed [1, 4096]");
  EXPECT_EQ(error_of("[ingest]\nvalidation_fraction = 0.6\n"),
            "agent.toml: ingest.validation_fraction = 0.6 is out of range: allowed [0, 0.5]");
  EXPECT_EQ(error_of("[ingest]\nvalidation_fraction = 0.5\nreference_fraction = 0.5\n"),
            "agent.toml: ingest.validation_fraction + ingest.reference_fraction = 1 is out of range: allowed at most "
            "0.8");
  EXPECT_EQ(error_of("[ingest]\nmax_seconds = 0\n"),
            "agent.toml: ingest.max_seconds = 0 is out of range: allowed (0, 86400]");
  EXPECT_NE(error_of("[ingest]\nhpss_kernel = 30\n").find("ingest.hpss_kernel = 30 must be odd"), std::string::npos);
  EXPECT_EQ(error_of("[voice]\nmomentum = 12\n"),
            "agent.toml: voice.momentum = 12 is out of range: allowed [0, 9.999]");
  EXPECT_EQ(error_of("[snippet]\nseconds = 8\n"), "agent.toml: snippet.seconds = 8 is out of range: allowed [0.25, 4]");
  EXPECT_EQ(error_of("[mel]\nhop_length = 0\n"), "agent.toml: mel.hop_length = 0 is out of range: allowed [1, 1380]");
  EXPECT_EQ(error_of("[ml2]\nkl_weight = -1\n").rfind("agent.toml: ml2.kl_weight = -1 is out of range: allowed [0, ", 0),
            0u);
  EXPECT_EQ(error_of("name = 'two words'\n"),
            "agent.toml: name = 'two words' is not allowed: 1 to 64 characters, no spaces or slashes");
}

TEST(AgentSettingsFile, AWordOutsideTheChoicesIsRefusedListingThem) {
  EXPECT_EQ(error_of("device = 'tpu'\n"), "agent.toml: device = 'tpu' is not allowed: choose one of auto, cpu, cuda");
  EXPECT_EQ(error_of("preset = '3.0_192'\n"),
            "agent.toml: preset = '3.0_192' is not allowed: choose one of 0.25_16, 0.5_32, 1.0_64, 2.0_128, 4.0_256");
  EXPECT_EQ(error_of("[ingest]\nstem = 'vocals'\n"),
            "agent.toml: ingest.stem = 'vocals' is not allowed: choose one of all, harmonic, percussive");
  EXPECT_EQ(error_of("[ml1]\npreset = 'huge'\n"),
            "agent.toml: ml1.preset = 'huge' is not allowed: choose one of notes, fast, seed");
  EXPECT_EQ(error_of("[ml2]\npreset = 'rnn'\n"),
            "agent.toml: ml2.preset = 'rnn' is not allowed: choose one of autoregressive, sequence, dense");
}

TEST(AgentSettingsFile, AnUnknownKeyIsRefused) {
  EXPECT_EQ(error_of("[ingest]\nseed = 3\n"), "agent.toml: unknown setting 'ingest.seed'");
  // ML1's validation share is a checkpoint's record, not a key of [ml1]: the split is [ingest]'s.
  EXPECT_EQ(error_of("[ml1]\nvalidation_fraction = 0.2\n"), "agent.toml: unknown setting 'ml1.validation_fraction'");
  EXPECT_EQ(error_of("[ml3]\nepochs = 2\n"), "agent.toml: unknown setting 'ml3'");
  EXPECT_EQ(error_of("nmae = 'x'\n"), "agent.toml: unknown setting 'nmae'");
}

TEST(AgentSettingsFile, DescribeListsEveryKeyWrittenWithItsDefault) {
  const auto text = describe_agent_settings();
  const auto doc = toml::parse(to_toml_text(AgentSettings{}));
  size_t keys = 0;
  std::string::size_type section_at = 0;
  for (const auto& [key, node] : doc) {
    if (const auto* table = node.as_table()) {
      section_at = text.find("[" + std::string(key.str()) + "]\n");
      ASSERT_NE(section_at, std::string::npos) << key.str() << "\n" << text;
      for (const auto& [inner, value] : *table) {
        ++keys;
        const auto line = text.find("\n" + std::string(inner.str()) + " = ", section_at);
        EXPECT_NE(line, std::string::npos) << key.str() << "." << inner.str() << "\n" << text;
      }
    } else {
      ++keys;
      EXPECT_NE(text.find(std::string(key.str()) + " = "), std::string::npos) << key.str() << "\n" << text;
    }
  }
  EXPECT_EQ(keys, 65u);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, keys + 6) << text;  // and the six [table] lines
  EXPECT_NE(text.find("epochs = 40  # passes through the training snippets [1, 100000]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("device = \"auto\"  # where the models run [auto | cpu | cuda]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("split_seed = 0  # "), std::string::npos) << text;
}

TEST(MlSettingsJson, TheDefaultsAreWrittenAsBeforeAndReadBack) {
  EXPECT_EQ(model::Ml1Settings{}.to_json().dump(), kMl1Json);
  // ML2's earlier JSON reads back with the autoregressive preset's fields at their defaults.
  auto earlier = std::string(kEarlierMl2Json);
  const auto ml2 = model::Ml2Settings::from_json(nlohmann::json::parse(earlier));
  EXPECT_EQ(ml2.preset, "sequence");
  EXPECT_EQ(ml2.hidden, 256);
  const auto insert = [&](const std::string& after, const std::string& text) {
    earlier.replace(earlier.find(after), after.size(), text);
  };
  insert(R"("epochs":50,"hidden":256,)", kAutoregressiveJsonKeys);
  insert(R"("max_length":512,)", R"("max_length":512,"mixtures":4,)");
  insert(R"("stop_weight":1.0,)", R"("stop_weight":1.0,"temperature":1.0,)");
  EXPECT_EQ(ml2.to_json().dump(), earlier);
  EXPECT_EQ(model::Ml2Settings{}.preset, "autoregressive");
  const auto s = changed_settings();
  EXPECT_EQ(model::Ml1Settings::from_json(s.ml1.to_json()).to_json(), s.ml1.to_json());
  EXPECT_EQ(model::Ml2Settings::from_json(s.ml2.to_json()).to_json(), s.ml2.to_json());
  EXPECT_EQ(model::Ml2Settings::from_json(s.ml2.to_json()).validation_fraction, 0.2);
}

TEST(MlSettingsJson, SettingsOfEarlierRunsReadTheirLegacyValuesNotTheDefaults) {
  auto j = nlohmann::json::parse(kEarlierMl1Json);
  j.erase("augment_time_roll");
  j.erase("augment_mel_shift");
  j.erase("warmup_steps");
  j["augment_mel_shift_typo"] = 3;  // extra keys are ignored, as before
  const auto s = model::Ml1Settings::from_json(j);
  EXPECT_FALSE(s.augment_time_roll);
  EXPECT_EQ(s.augment_mel_shift, 0);
  EXPECT_EQ(s.warmup_steps, 0);  // the default is 200
  EXPECT_EQ(s.loss, "mse");
  EXPECT_EQ(s.lr_decay_epochs, 0);
  EXPECT_EQ(s.lr_final_fraction, 1.0);
  EXPECT_EQ(s.preset, "fast");
  EXPECT_NE(model::Ml1Settings{}.warmup_steps, 0);
  EXPECT_EQ(s.latent_dim, 128);
}

TEST(MlSettingsJson, AnyOtherMissingOrMistypedFieldIsRefusedNamingIt) {
  auto ml1 = nlohmann::json::parse(kEarlierMl1Json);
  ml1.erase("learning_rate");
  EXPECT_EQ(message_of([&] { model::Ml1Settings::from_json(ml1); }).rfind("ml1.learning_rate: ", 0), 0u);
  auto ml2 = nlohmann::json::parse(kEarlierMl2Json);
  ml2["hidden"] = "wide";
  EXPECT_EQ(message_of([&] { model::Ml2Settings::from_json(ml2); }).rfind("ml2.hidden: ", 0), 0u);
  ml2 = nlohmann::json::parse(kEarlierMl2Json);
  ml2.erase("validation_fraction");
  EXPECT_EQ(message_of([&] { model::Ml2Settings::from_json(ml2); }).rfind("ml2.validation_fraction: ", 0), 0u);
  ml2 = nlohmann::json::parse(kEarlierMl2Json);
  ml2["preset"] = "rnn";
  EXPECT_EQ(message_of([&] { model::Ml2Settings::from_json(ml2); }),
            "ml2.preset = 'rnn' is not allowed: choose one of autoregressive, sequence, dense");
}

}  // namespace
}  // namespace mh::agent
