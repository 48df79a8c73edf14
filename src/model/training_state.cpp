#include "model/training_state.hpp"

#include <fmt/format.h>

#include <limits>

#include "core/errors.hpp"
#include "core/json_checks.hpp"

namespace mh::model {

namespace {

// JSON has no NaN: a NaN figure is written as null. Fields added after files were first written
// may be missing from old ones, which then keep the struct's default.
enum class NumberForm { kPlain, kNullIsNan, kMayBeMissing, kMayBeMissingNullIsNan };

/// One number of a struct as a JSON key.
template <class T>
struct JsonNumber {
  JsonNumber(const char* key, int64_t T::*member, NumberForm form = NumberForm::kPlain)
      : key(key), integer(member), form(form) {}
  JsonNumber(const char* key, double T::*member, NumberForm form = NumberForm::kPlain)
      : key(key), real(member), form(form) {}

  bool null_is_nan() const { return form == NumberForm::kNullIsNan || form == NumberForm::kMayBeMissingNullIsNan; }
  bool may_be_missing() const {
    return form == NumberForm::kMayBeMissing || form == NumberForm::kMayBeMissingNullIsNan;
  }

  const char* key;
  int64_t T::*integer = nullptr;
  double T::*real = nullptr;
  NumberForm form;
};

template <class T>
using JsonNumbers = std::vector<JsonNumber<T>>;

template <class T>
void numbers_to_json(const JsonNumbers<T>& numbers, const T& s, nlohmann::json& out) {
  for (const auto& n : numbers) {
    if (n.integer != nullptr) {
      out[n.key] = s.*n.integer;
    } else {
      out[n.key] = n.null_is_nan() ? number_or_null(s.*n.real) : nlohmann::json(s.*n.real);
    }
  }
}

/// In table order, so that a file missing several keys is reported by its first. Throws
/// nlohmann::json exceptions.
template <class T>
void numbers_from_json(const JsonNumbers<T>& numbers, const nlohmann::json& j, T& s) {
  for (const auto& n : numbers) {
    if (n.may_be_missing() && j.find(n.key) == j.end()) continue;
    const auto& v = j.at(n.key);
    if (n.integer != nullptr) {
      s.*n.integer = v.template get<int64_t>();
    } else {
      s.*n.real = n.null_is_nan() && v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.template get<double>();
    }
  }
}

// The keys every record has.
const JsonNumbers<EpochFigures>& figure_keys() {
  using F = EpochFigures;
  static const JsonNumbers<F> keys = {{"epoch", &F::epoch},
                                      {"train_total", &F::train_total},
                                      {"train_reconstruction", &F::train_reconstruction},
                                      {"train_kl", &F::train_kl},
                                      {"val_reconstruction", &F::val_reconstruction, NumberForm::kNullIsNan},
                                      {"seconds", &F::seconds}};
  return keys;
}

/// Each record's own keys and those its model adds to the training state; kPrefix heads the
/// names in the CheckpointErrors of malformed ones.
template <class Record>
struct RecordKeys;

template <>
struct RecordKeys<EpochRecord> {
  static constexpr const char* kPrefix = "";
  static JsonNumbers<EpochRecord> record() {
    using R = EpochRecord;
    const auto missing_or_null = NumberForm::kMayBeMissingNullIsNan;
    return {{"snippets_per_s", &R::snippets_per_s},
            {"val_mean_snippet", &R::val_mean_snippet, missing_or_null},
            {"val_time_flat", &R::val_time_flat, missing_or_null},
            {"train_kl_max", &R::train_kl_max, missing_or_null}};
  }
  // Checkpoints from before the warm-up and the KL peak were tracked lack them.
  static JsonNumbers<TrainingPosition> state() {
    return {{"max_kl", &TrainingPosition::max_kl, NumberForm::kMayBeMissing},
            {"steps", &TrainingPosition::steps, NumberForm::kMayBeMissing}};
  }
};

template <>
struct RecordKeys<Ml2EpochRecord> {
  static constexpr const char* kPrefix = "ml2 ";
  static JsonNumbers<TrainingPosition> state() { return {{"sum_stop", &TrainingPosition::sum_stop}}; }
  static JsonNumbers<Ml2EpochRecord> record() {
    using R = Ml2EpochRecord;
    return {{"train_stop", &R::train_stop},
            {"val_length_error", &R::val_length_error, NumberForm::kNullIsNan},
            {"orders_per_s", &R::orders_per_s}};
  }
};

/// The position's keys both models write, then the model's own.
template <class Record>
const JsonNumbers<TrainingPosition>& position_keys() {
  static const JsonNumbers<TrainingPosition> keys = [] {
    using P = TrainingPosition;
    JsonNumbers<P> all = {{"epochs_done", &P::epochs_done},
                          {"batch_in_epoch", &P::batch_in_epoch},
                          {"train_size", &P::train_size},
                          {"sum_total", &P::sum_total},
                          {"sum_reconstruction", &P::sum_reconstruction},
                          {"sum_kl", &P::sum_kl},
                          {"seconds", &P::seconds},
                          {"seen", &P::seen}};
    const auto own = RecordKeys<Record>::state();
    all.insert(all.end(), own.begin(), own.end());
    return all;
  }();
  return keys;
}

template <class Record>
nlohmann::json record_to_json(const Record& r) {
  nlohmann::json j = nlohmann::json::object();
  numbers_to_json(figure_keys(), static_cast<const EpochFigures&>(r), j);
  numbers_to_json(RecordKeys<Record>::record(), r, j);
  return j;
}

template <class Record>
Record record_from_json(const nlohmann::json& j) {
  Record r;
  try {
    numbers_from_json(figure_keys(), j, static_cast<EpochFigures&>(r));
    numbers_from_json(RecordKeys<Record>::record(), j, r);
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}epoch record: {}", RecordKeys<Record>::kPrefix, e.what()));
  }
  return r;
}

}  // namespace

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

nlohmann::json EpochRecord::to_json() const { return record_to_json(*this); }
EpochRecord EpochRecord::from_json(const nlohmann::json& j) { return record_from_json<EpochRecord>(j); }
nlohmann::json Ml2EpochRecord::to_json() const { return record_to_json(*this); }
Ml2EpochRecord Ml2EpochRecord::from_json(const nlohmann::json& j) { return record_from_json<Ml2EpochRecord>(j); }

template <class Record>
nlohmann::json TrainingState<Record>::to_json() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& r : history) h.push_back(r.to_json());
  nlohmann::json j = nlohmann::json::object();
  j["history"] = h;
  numbers_to_json(position_keys<Record>(), static_cast<const TrainingPosition&>(*this), j);
  return j;
}

template <class Record>
TrainingState<Record> TrainingState<Record>::from_json(const nlohmann::json& j) {
  TrainingState s;
  try {
    numbers_from_json(position_keys<Record>(), j, static_cast<TrainingPosition&>(s));
    for (const auto& r : j.at("history")) s.history.push_back(Record::from_json(r));
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}training state: {}", RecordKeys<Record>::kPrefix, e.what()));
  }
  return s;
}

template struct TrainingState<EpochRecord>;
template struct TrainingState<Ml2EpochRecord>;

}  // namespace mh::model
