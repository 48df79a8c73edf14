#include "agent/edited_settings.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/settings_fields.hpp"
#include "model/checkpoint_framing.hpp"

namespace mh::agent {
namespace {

std::string toml_value(const nlohmann::json& v) {
  // JSON writes strings in double quotes, as TOML does; numbers and booleans read the same.
  return v.dump();
}

std::vector<EditedSetting> differences(const nlohmann::json& saved, const nlohmann::json& in_file,
                                       const std::vector<std::string>& order) {
  std::vector<EditedSetting> out;
  for (const auto& key : order) {
    // The split is the dataset's; a seed differs after any `--seed` or dream without an edit,
    // and a continued run goes on with its saved random streams whatever the seed.
    if (key == "validation_fraction" || key == "seed" || !saved.contains(key) || !in_file.contains(key)) continue;
    if (saved.at(key) == in_file.at(key)) continue;
    out.push_back({key, toml_value(in_file.at(key)), toml_value(saved.at(key)), applies_when_continued(key)});
  }
  return out;
}

template <class Settings>
std::vector<std::string> key_order(const std::vector<Field<Settings>>& fields) {
  std::vector<std::string> keys;
  for (const auto& f : fields) keys.emplace_back(f.name);
  return keys;
}

nlohmann::json saved_settings(const std::filesystem::path& checkpoint, const char* kind) {
  const auto blob = model::unpack_checkpoint(read_file(checkpoint), kind, checkpoint.string());
  if (!blob.metadata.contains("settings")) {
    throw CheckpointError(fmt::format("{}: holds no settings", checkpoint.string()));
  }
  return blob.metadata.at("settings");
}

}  // namespace

bool applies_when_continued(const std::string& key) {
  return key == "learning_rate" || key == "batch_size" || key == "epochs";
}

std::vector<EditedSetting> edited_settings(const model::Ml1Settings& saved, const model::Ml1Settings& in_file) {
  return differences(fields_to_json(model::ml1_fields(), saved), fields_to_json(model::ml1_fields(), in_file),
                     key_order(model::ml1_fields()));
}

std::vector<EditedSetting> edited_settings(const model::Ml2Settings& saved, const model::Ml2Settings& in_file) {
  return differences(fields_to_json(model::ml2_fields(), saved), fields_to_json(model::ml2_fields(), in_file),
                     key_order(model::ml2_fields()));
}

std::vector<EditedSetting> edited_settings(const Agent& agent, TrainStage stage) {
  const bool ml1 = stage == TrainStage::kMl1;
  const auto path = ml1 ? agent.ml1_path() : agent.ml2_path();
  if (!std::filesystem::is_regular_file(path)) return {};
  const auto saved = saved_settings(path, ml1 ? "ml1" : "ml2");
  try {
    return ml1 ? edited_settings(model::Ml1Settings::from_json(saved), agent.settings().ml1)
               : edited_settings(model::Ml2Settings::from_json(saved), agent.settings().ml2);
  } catch (const SettingsError& e) {
    throw CheckpointError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

std::string unused_edits_line(const Agent& agent, TrainStage stage, const std::vector<EditedSetting>& edits) {
  std::vector<std::string> wanted, used;
  for (const auto& e : edits) {
    if (e.applies) continue;
    wanted.push_back(fmt::format("{} = {}", e.key, e.in_file));
    used.push_back(fmt::format("{} = {}", e.key, e.saved));
  }
  if (wanted.empty()) return "";
  const bool ml1 = stage == TrainStage::kMl1;
  return fmt::format("{}: agent.toml's [{}] {} {} not used by {}, which keeps {}: a continued run takes only "
                     "learning_rate, batch_size and epochs; train afresh (`metahuman train --agent {} --stage {}` "
                     "without --resume) to use the rest",
                     agent.name(), ml1 ? "ml1" : "ml2", fmt::join(wanted, ", "), wanted.size() == 1 ? "is" : "are",
                     (ml1 ? agent.ml1_path() : agent.ml2_path()).filename().string(), fmt::join(used, ", "),
                     agent.dir().string(), ml1 ? "ml1" : "ml2");
}

void apply_edits(model::Ml1Trainer& trainer, const model::Ml1Settings& in_file) {
  trainer.set_learning_rate(in_file.learning_rate);
  trainer.set_batch_size(in_file.batch_size);
  trainer.set_epochs(in_file.epochs);
}

void apply_edits(model::Ml2Trainer& trainer, const model::Ml2Settings& in_file) {
  trainer.set_learning_rate(in_file.learning_rate);
  trainer.set_batch_size(in_file.batch_size);
  trainer.set_epochs(in_file.epochs);
}

}  // namespace mh::agent
