// ML2 of an agent: training on song orders, loading, and composing new orders with it.
#include <fmt/format.h>

#include <cmath>

#include "agent/agent.hpp"
#include "agent/edited_settings.hpp"
#include "agent/train_plan.hpp"
#include "agent/train_set.hpp"
#include "core/check.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "model/ml2_autoregressive.hpp"
#include "model/ml2_checkpoint.hpp"

namespace mh::agent {
namespace fs = std::filesystem;

namespace {

std::vector<int64_t> songs_on(const corpus::Manifest& manifest, corpus::Split split) {
  std::vector<int64_t> out;
  for (const auto& song : manifest.songs()) {
    if (song.provenance.split == split) out.push_back(song.id);
  }
  return out;
}

}  // namespace

TrainOutcome Agent::run_ml2(const TrainOptions& options) {
  const bool explicit_set = options.train_songs.has_value();
  const auto chosen = explicit_set ? *options.train_songs : songs_on(store_->manifest(), corpus::Split::kTrain);
  check_training_set(dir_, chosen, explicit_set, static_cast<int64_t>(store_->manifest().songs().size()),
                     {"no songs to train ML2 on", "train_songs", "song", "songs"});
  const auto val_ids = songs_on(store_->manifest(), corpus::Split::kValidation);
  // Orders index songs by id, so song ids are the trainer's indices.
  const auto orders = song_orders();
  const RunFiles files{ml2_path(), dir_ / "ml2_history.jsonl", dir_ / "ml2_train_set.json"};
  auto start = start_training<model::Ml2Trainer>(
      options, files, device_, settings_.ml2.epochs, chosen, explicit_set,
      [&] {
        // The orders' size is that of the ML1 in ml1.ckpt, whatever agent.toml says now.
        return model::Ml2Trainer(fresh_run_settings(settings_.ml2, options), orders.dim(), device_);
      },
      [&](model::Ml2Trainer& trainer) {
        apply_edits(trainer, settings_.ml2);
        const auto trained_on = trainer.model().ml1_version();
        if (trained_on.empty() || trained_on == orders.ml1_version) return;
        if (options.resume) {
          throw DatasetError(fmt::format("{}: ML2 was trained on orders of ML1 {}, but ML1 is now {}: train ML2 "
                                         "afresh (without resume) or continue it",
                                         ml2_path().string(), trained_on, orders.ml1_version));
        }
        trainer.model().set_ml1_version(orders.ml1_version);
      });
  auto& trainer = *start.trainer;
  auto outcome = train_and_save(start, files, options, options.ml2_progress, options.ml2_epoch_end,
                                [&](const TrainPhase& phase, const model::Ml2TrainerCallbacks& callbacks) {
                                  return trainer.train(orders, *phase.ids, val_ids, callbacks, options.stop);
                                });
  ml2_cache_.reset();
  if (!trainer.history().empty()) outcome.val_reconstruction = trainer.history().back().val_reconstruction;
  return outcome;
}

model::Ml2 Agent::ml2() const {
  const auto saved = read_saved(TrainStage::kMl2);
  if (!ml2_cache_ || saved.version != ml2_cache_version_) {
    auto loaded = model::load_ml2(saved.bytes, device_, ml2_path().string());
    loaded.net().eval();
    ml2_cache_ = std::make_shared<model::Ml2>(std::move(loaded));
    ml2_cache_version_ = saved.version;
  }
  return *ml2_cache_;
}

bool Agent::ml2_is_current() const { return has_ml2() && has_ml1() && ml2().ml1_version() == ml1_version(); }

model::Ml2 Agent::current_ml2() const {
  auto m = ml2();
  const auto ml1 = ml1_version();
  if (ml1.empty()) (void)this->ml1();  // throws the "no trained ML1" error
  if (m.ml1_version() != ml1) {
    throw CheckpointError(fmt::format("{}: ML2 was trained on orders of ML1 {}, but ML1 is now {}: retrain it with "
                                      "`metahuman train --agent {} --stage ml2`",
                                      ml2_path().string(), m.ml1_version(), ml1, dir_.string()));
  }
  return m;
}

std::vector<torch::Tensor> Agent::compose(int n, double seconds, torch::Generator& gen, double temperature) {
  check_range("compose: n", n, 1, 10000);
  check_range("compose: seconds", seconds, 0.0, 86400.0);
  check_range("compose: temperature", temperature, 0.0, 10.0);
  auto m = current_ml2();
  auto* ar = dynamic_cast<model::AutoregressiveImpl*>(&m.net());
  if (temperature > 0 && ar == nullptr) {
    throw SettingsError(fmt::format("compose: a temperature needs ml2.preset = 'autoregressive', {} is '{}'",
                                    ml2_path().string(), m.settings().preset));
  }
  // The model is the cache's: it gets its own temperature back however this call ends.
  struct TemperatureGuard {
    model::AutoregressiveImpl* net;
    double saved;
    ~TemperatureGuard() {
      if (net != nullptr) net->set_temperature(saved);
    }
  } guard{temperature > 0 ? ar : nullptr, ar != nullptr ? ar->options().temperature : 0.0};
  if (guard.net != nullptr) guard.net->set_temperature(temperature);
  auto& net = m.net();
  std::vector<torch::Tensor> songs;
  if (seconds <= 0) {
    songs = m.sample(n, gen, 1, static_cast<int>(net.max_length()));
  } else {
    const int64_t target = std::max<int64_t>(1, std::llround(seconds / snippet_seconds()));
    if (target <= net.longest_song()) {
      songs = m.sample(n, gen, static_cast<int>(target), static_cast<int>(target));
    } else {
      for (int i = 0; i < n; ++i) {
        std::vector<torch::Tensor> parts;
        int64_t have = 0;
        while (have < target) {
          parts.push_back(m.sample(1, gen, 1, static_cast<int>(net.max_length())).front());
          have += parts.back().size(0);
        }
        songs.push_back(torch::cat(parts, 0).narrow(0, 0, target));
      }
    }
  }
  for (auto& song : songs) song = song.to(torch::kCPU, torch::kFloat32).contiguous();
  return songs;
}

std::vector<torch::Tensor> Agent::interpolate_songs(int64_t song_a, int64_t song_b, int steps) {
  check_range("interpolate: steps", steps, 2, 10000);
  auto m = current_ml2();
  const auto a = song_order(song_a);
  const auto b = song_order(song_b);
  for (const auto& [id, order] : {std::pair{song_a, a}, std::pair{song_b, b}}) {
    if (order.size(0) > m.net().max_length()) {
      throw DatasetError(fmt::format("{}: song {} has {} snippets, more than ml2.max_length = {}", dir_.string(), id,
                                     order.size(0), m.net().max_length()));
    }
  }
  auto songs = m.interpolate(a, b, steps);
  for (auto& song : songs) song = song.to(torch::kCPU, torch::kFloat32).contiguous();
  return songs;
}

}  // namespace mh::agent
