#include "agent/agent.hpp"

#include <fmt/format.h>

#include <cmath>

#include "agent/edited_settings.hpp"
#include "agent/store_source.hpp"
#include "agent/train_plan.hpp"
#include "agent/train_set.hpp"
#include "core/errors.hpp"
#include "core/files.hpp"
#include "dsp/front_end.hpp"
#include "dsp/snippets.hpp"
#include "model/batch_norm_calibration.hpp"
#include "model/ml1_checkpoint.hpp"

namespace mh::agent {
namespace fs = std::filesystem;

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) throw SettingsError("device = 'cuda' but no CUDA device is available");
    return torch::kCUDA;
  }
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  throw SettingsError(fmt::format("device = '{}' is not allowed: choose one of auto, cpu, cuda", name));
}

Agent::Agent(fs::path dir, AgentSettings settings, std::unique_ptr<corpus::SnippetStore> store)
    : dir_(std::move(dir)),
      settings_(std::move(settings)),
      store_(std::move(store)),
      device_(resolve_device(settings_.device)) {}

Agent Agent::create(const fs::path& dir, const AgentSettings& settings) {
  settings.validate();
  if (fs::exists(dir / "agent.toml")) {
    throw DatasetError(fmt::format("{}: already holds an agent (agent.toml exists)", dir.string()));
  }
  fs::create_directories(dir);
  auto store = std::make_unique<corpus::SnippetStore>(corpus::SnippetStore::create(
      dir / "dataset", corpus::StoreShape{settings.front_end.mel.n_mels, settings.front_end.frames()}));
  // The settings file is written last: a folder without it is not an agent yet.
  save_agent_settings(dir / "agent.toml", settings);
  return Agent(dir, settings, std::move(store));
}

Agent Agent::open(const fs::path& dir) {
  // A mistyped path or a folder of something else is the caller's input, not a broken agent.
  if (!fs::exists(dir)) throw InputError(fmt::format("{}: no such agent folder", dir.string()));
  if (!fs::is_regular_file(dir / "agent.toml")) {
    throw InputError(fmt::format("{}: not an agent folder (no agent.toml): make one with `metahuman agent new`",
                                 dir.string()));
  }
  // A process killed while it saved a model leaves a temporary beside it.
  remove_stale_temporaries(dir);
  remove_stale_temporaries(dir / "dataset");
  auto settings = load_agent_settings(dir / "agent.toml");
  auto store = std::make_unique<corpus::SnippetStore>(corpus::SnippetStore::open(dir / "dataset"));
  const corpus::StoreShape want{settings.front_end.mel.n_mels, settings.front_end.frames()};
  if (!(store->shape() == want)) {
    throw DatasetError(fmt::format("{}: dataset snippets are {} × {} but agent.toml says {} × {}", dir.string(),
                                   store->shape().n_mels, store->shape().frames, want.n_mels, want.frames));
  }
  return Agent(dir, std::move(settings), std::move(store));
}

void Agent::set_device(torch::Device device) {
  device_ = device;
  ml1_cache_ = nullptr;
  ml1_cache_version_.clear();
  ml2_cache_.reset();
  ml2_cache_version_.clear();
}

corpus::IngestReport Agent::ingest(const std::vector<fs::path>& inputs, const corpus::IngestProgress& progress) {
  auto report = corpus::ingest(*store_, inputs, settings_.front_end, settings_.ingest, progress);
  int n = 1;
  while (fs::exists(dir_ / "reports" / fmt::format("ingest-{}.json", n))) ++n;
  write_file_atomic(dir_ / "reports" / fmt::format("ingest-{}.json", n), report.to_json());
  return report;
}

TrainOutcome Agent::train(TrainStage which, const TrainOptions& options) {
  check_train_options(options);
  return which == TrainStage::kMl1 ? run_ml1(options) : run_ml2(options);
}

Agent::SavedModel Agent::read_saved(TrainStage stage) const {
  const bool ml1 = stage == TrainStage::kMl1;
  const auto path = ml1 ? ml1_path() : ml2_path();
  if (!fs::is_regular_file(path)) {
    throw CheckpointError(fmt::format("{}: no trained {}: run `metahuman train --agent {} --stage {}` first",
                                      path.string(), ml1 ? "ML1" : "ML2", dir_.string(), ml1 ? "ml1" : "ml2"));
  }
  auto bytes = read_file(path);
  auto version = fmt::format("{:016x}", fnv1a64(bytes));
  return {std::move(bytes), std::move(version)};
}

bool Agent::has_ml1() const { return fs::is_regular_file(ml1_path()); }
bool Agent::has_ml2() const { return fs::is_regular_file(ml2_path()); }
std::string Agent::ml1_version() const { return has_ml1() ? read_saved(TrainStage::kMl1).version : ""; }
std::string Agent::ml2_version() const { return has_ml2() ? read_saved(TrainStage::kMl2).version : ""; }

TrainOutcome Agent::run_ml1(const TrainOptions& options) {
  const auto val_ids = store_->ids(corpus::Split::kValidation);
  const bool explicit_set = options.train_items.has_value();
  const auto chosen = explicit_set ? *options.train_items : store_->ids(corpus::Split::kTrain);
  check_training_set(dir_, chosen, explicit_set, store_->size(),
                     {"no training snippets", "train_items", "item", "snippets"});
  const RunFiles files{ml1_path(), dir_ / "ml1_history.jsonl", dir_ / "ml1_train_set.json"};
  auto start = start_training<model::Ml1Trainer>(
      options, files, device_, settings_.ml1.epochs, chosen, explicit_set,
      [&] {
        auto s = fresh_run_settings(settings_.ml1, options);
        const auto opts = model::options_for(s, static_cast<int>(settings_.front_end.mel.n_mels),
                                             static_cast<int>(settings_.front_end.frames()));
        if (options.batch_size > 0) s.batch_size = options.batch_size;
        if (options.learning_rate > 0) s.learning_rate = options.learning_rate;
        return model::Ml1Trainer(s, opts, device_);
      },
      [&](model::Ml1Trainer& resumed) { apply_edits(resumed, settings_.ml1); });
  auto& trainer = *start.trainer;
  if (options.batch_size > 0) trainer.set_batch_size(options.batch_size);
  if (options.learning_rate > 0) trainer.set_learning_rate(options.learning_rate);
  if (!options.train_strata.empty() && options.train_strata.size() != chosen.size()) {
    throw ShapeError(fmt::format("{} strata for {} training items", options.train_strata.size(), chosen.size()));
  }
  const StoreSource source(*store_);
  auto outcome = train_and_save(start, files, options, options.progress, options.epoch_end,
                                [&](const TrainPhase& phase, model::TrainerCallbacks& callbacks) {
                                  // Strata describe the caller's set, not the one an interrupted
                                  // epoch is finished on.
                                  callbacks.strata = phase.ids == &start.plan.ids ? options.train_strata
                                                                                  : std::vector<std::uint8_t>{};
                                  return trainer.train(source, *phase.ids, val_ids, callbacks, options.stop);
                                });
  ml1_cache_ = nullptr;
  if (!trainer.history().empty()) {
    const auto& last = trainer.history().back();
    outcome.val_reconstruction = last.val_reconstruction;
    outcome.val_mean_snippet = last.val_mean_snippet;
    outcome.val_time_flat = last.val_time_flat;
  }
  return outcome;
}

model::ConvVae Agent::ml1() const {
  const auto saved = read_saved(TrainStage::kMl1);
  if (!ml1_cache_ || saved.version != ml1_cache_version_) {
    auto loaded = model::load_ml1_checkpoint(saved.bytes, device_, ml1_path().string());
    if (!loaded.batch_norm_recalibrated) {
      recalibrate_saved_ml1(loaded);
      return ml1();
    }
    loaded.model->eval();
    ml1_cache_ = loaded.model;
    ml1_cache_version_ = saved.version;
  }
  return ml1_cache_;
}

void Agent::recalibrate_saved_ml1(model::LoadedMl1& loaded) const {
  // A checkpoint from before the statistics were re-estimated after training: its eval-mode
  // model sang the same wash whatever it heard. Re-estimated once, from the snippets it was
  // trained on, and saved (its version changes, so song orders are recomputed and an ML2 trained
  // on the old orders asks to be retrained).
  const auto set_path = dir_ / "ml1_train_set.json";
  auto ids = load_train_set(set_path).value_or(std::vector<int64_t>{});
  if (ids.empty()) ids = store_->ids(corpus::Split::kTrain);
  if (ids.empty()) {
    throw CheckpointError(fmt::format("{}: saved before BatchNorm statistics were re-estimated, and the dataset "
                                      "has no training snippets to re-estimate them from: retrain ML1",
                                      ml1_path().string()));
  }
  model::recalibrate_batch_norm(*loaded.model, StoreSource(*store_), ids, model::Ml1Trainer::kCalibrationSnippets,
                                loaded.settings.batch_size, device_);
  write_file_atomic(ml1_path(), model::save_ml1_checkpoint(loaded.settings, loaded.model,
                                                           loaded.had_optimizer_state ? loaded.optimizer.get() : nullptr,
                                                           loaded.state));
}

torch::Tensor Agent::cut(const torch::Tensor& audio) const {
  const auto& fe = settings_.front_end;
  return dsp::cut_snippets(audio, fe.snippet.snippet_samples(fe.mel.sample_rate_hz));
}

torch::Tensor Agent::mel_snippets(const torch::Tensor& audio) const {
  const dsp::MelFrontEnd front_end(settings_.front_end.mel);
  return front_end.normalised(cut(audio));
}

torch::Tensor Agent::encode(const torch::Tensor& mel) const {
  if (mel.dim() != 3) {
    throw ShapeError(fmt::format("encode: got shape [{}], expected [n, n_mels, frames]", fmt::join(mel.sizes(), ", ")));
  }
  auto model = ml1();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  constexpr int64_t kBatch = 32;
  for (int64_t s = 0; s < mel.size(0); s += kBatch) {
    const auto x = mel.slice(0, s, std::min(s + kBatch, mel.size(0))).unsqueeze(1).to(device_, torch::kFloat32);
    parts.push_back(model->encode(x).to(torch::kCPU));
  }
  if (parts.empty()) return torch::zeros({0, static_cast<int64_t>(settings_.ml1.latent_dim)});
  return torch::cat(parts, 0);
}

double Agent::snippet_seconds() const {
  const auto& fe = settings_.front_end;
  return static_cast<double>(fe.snippet.snippet_samples(fe.mel.sample_rate_hz)) / fe.mel.sample_rate_hz;
}

voice::Voice Agent::voice() const { return voice::Voice(ml1(), settings_.front_end.mel, settings_.voice, device_); }

}  // namespace mh::agent
