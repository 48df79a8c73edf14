#include "model/training_state.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "model/ml1_training_state.hpp"
#include "model/ml2_training_state.hpp"

namespace mh::model {

void TrainingPosition::start_epoch() {
  batch_in_epoch = 0;
  sum_total = sum_reconstruction = sum_kl = sum_stop = seconds = max_kl = 0;
  seen = 0;
}

void TrainingPosition::restore_generators(torch::Generator& shuffle, torch::Generator& sample,
                                          const std::string& name) const {
  try {
    if (shuffle_rng.defined()) shuffle.set_state(shuffle_rng);
    if (sample_rng.defined()) sample.set_state(sample_rng);
  } catch (const c10::Error& e) {
    throw CheckpointError(fmt::format("{}: bad generator state ({})", name, e.what_without_backtrace()));
  }
}

template <class Record>
nlohmann::json TrainingState<Record>::to_json() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& r : history) h.push_back(r.to_json());
  nlohmann::json j = {{"epochs_done", epochs_done}, {"batch_in_epoch", batch_in_epoch}, {"train_size", train_size},
                      {"sum_total", sum_total},     {"sum_reconstruction", sum_reconstruction},
                      {"sum_kl", sum_kl},           {"seconds", seconds},
                      {"seen", seen},               {"history", h}};
  if constexpr (Record::kStopLoss) {
    j["sum_stop"] = sum_stop;
  } else {
    j["max_kl"] = max_kl;
    j["steps"] = steps;
  }
  return j;
}

template <class Record>
TrainingState<Record> TrainingState<Record>::from_json(const nlohmann::json& j) {
  TrainingState s;
  try {
    s.epochs_done = j.at("epochs_done").get<int64_t>();
    s.batch_in_epoch = j.at("batch_in_epoch").get<int64_t>();
    s.train_size = j.at("train_size").get<int64_t>();
    s.sum_total = j.at("sum_total").get<double>();
    s.sum_reconstruction = j.at("sum_reconstruction").get<double>();
    s.sum_kl = j.at("sum_kl").get<double>();
    s.seconds = j.at("seconds").get<double>();
    s.seen = j.at("seen").get<int64_t>();
    if constexpr (Record::kStopLoss) {
      s.sum_stop = j.at("sum_stop").get<double>();
    } else {
      // Checkpoints from before the warm-up and the KL peak were tracked lack them.
      s.max_kl = j.value("max_kl", 0.0);
      s.steps = j.value("steps", int64_t{0});
    }
    for (const auto& r : j.at("history")) s.history.push_back(Record::from_json(r));
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}: {}", Record::kStateName, e.what()));
  }
  return s;
}

template struct TrainingState<EpochRecord>;
template struct TrainingState<Ml2EpochRecord>;

}  // namespace mh::model
