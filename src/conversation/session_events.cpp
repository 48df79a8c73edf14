#include "conversation/session_events.hpp"

#include <fmt/format.h>

#include "conversation/event_fields.hpp"
#include "core/errors.hpp"

namespace mh::conversation::events {
using nlohmann::json;
using fields::field;
using fields::nullable;

namespace {

constexpr const char* kSeqKey = "seq";
constexpr const char* kTypeKey = "type";
constexpr const char* kTimeKey = "time";

// One table per type: its keys, in the order docs/session_format.md lists them.
template <typename S>
const fields::Table<S>& table_of();

template <>
const fields::Table<SessionStart>& table_of() {
  using S = SessionStart;
  static const fields::Table<S> t{
      field("session_id", &S::session_id), field("agents", &S::agents),
      field("agent_dirs", &S::agent_dirs), field("rounds", &S::rounds),
      field("first_round", &S::first_round), field("turns_per_round", &S::turns_per_round),
      field("preset", &S::preset),         field("seed", &S::seed),
      field("first_new_song", &S::first_new_song)};
  return t;
}

template <>
const fields::Table<RoundStart>& table_of() {
  static const fields::Table<RoundStart> t{field("round", &RoundStart::round)};
  return t;
}

template <>
const fields::Table<Song>& table_of() {
  using S = Song;
  static const fields::Table<S> t{
      field("round", &S::round),   field("turn", &S::turn),         field("song", &S::song),
      field("id", &S::id),         field("singer", &S::singer),     field("listener", &S::listener),
      field("kind", &S::kind),     nullable("parent", &S::parent),  field("sigma", &S::sigma),
      field("seed", &S::seed),     field("depth", &S::depth),       field("from", &S::from),
      field("duration_s", &S::duration_s), field("wav", &S::wav),   field("sidecar", &S::sidecar),
      field("line", &S::line),     field("listening", &S::listening)};
  return t;
}

template <>
const fields::Table<Listen>& table_of() {
  using S = Listen;
  static const fields::Table<S> t{field("agent", &S::agent),
                                  field("song", &S::song),
                                  field("round", &S::round),
                                  field("dataset_song", &S::dataset_song),
                                  field("human_fraction", &S::human_fraction),
                                  field("human_fraction_dataset", &S::human_fraction_dataset),
                                  field("human_fraction_updates", &S::human_fraction_updates)};
  return t;
}

template <>
const fields::Table<Emancipation>& table_of() {
  using S = Emancipation;
  static const fields::Table<S> t{field("agent", &S::agent), field("song", &S::song), field("round", &S::round),
                                  field("human_fraction", &S::human_fraction), field("line", &S::line)};
  return t;
}

template <>
const fields::Table<DreamStart>& table_of() {
  using S = DreamStart;
  static const fields::Table<S> t{
      field("agent", &S::agent),   field("dream", &S::dream),
      field("round", &S::round),   field("items", &S::items),
      field("songs", &S::songs),   field("songs_too_long", &S::songs_too_long),
      field("policy", &S::policy), field("batch_size", &S::batch_size),
      field("learning_rate", &S::learning_rate), field("budget_s", &S::budget_s)};
  return t;
}

template <>
const fields::Table<DreamEnd>& table_of() {
  using S = DreamEnd;
  static const fields::Table<S> t{
      field("agent", &S::agent),       field("dream", &S::dream),
      field("round", &S::round),       field("seconds", &S::seconds),
      field("measures", &S::measures), field("out_of_time", &S::out_of_time),
      field("ml1_epochs", &S::ml1_epochs), field("ml2", &S::ml2),
      field("order_drift", &S::order_drift), field("dataset_songs", &S::dataset_songs),
      field("generation_mean", &S::generation_mean)};
  return t;
}

template <>
const fields::Table<SessionEnd>& table_of() {
  static const fields::Table<SessionEnd> t{field("rounds_done", &SessionEnd::rounds_done)};
  return t;
}

template <>
const fields::Table<Control>& table_of() {
  using S = Control;
  static const fields::Table<S> t{field("command", &S::command), field("address", &S::address),
                                  field("value", &S::value), field("agent", &S::agent), field("line", &S::line)};
  return t;
}

template <>
const fields::Table<ControlIgnored>& table_of() {
  using S = ControlIgnored;
  static const fields::Table<S> t{field("address", &S::address), field("types", &S::types),
                                  field("reason", &S::reason), field("line", &S::line),
                                  field("dropped", &S::dropped)};
  return t;
}

template <>
const fields::Table<SongsPruned>& table_of() {
  using S = SongsPruned;
  static const fields::Table<S> t{field("wavs", &S::wavs), field("bytes_freed", &S::bytes_freed),
                                  field("songs_bytes", &S::songs_bytes), field("songs_max_mb", &S::songs_max_mb),
                                  field("line", &S::line)};
  return t;
}

template <typename S>
S body_from_json(const json& j) {
  S s;
  for (const auto& f : table_of<S>()) {
    const auto it = j.find(f.key);
    f.read(it == j.end() ? nullptr : &*it, s, S::kType);
  }
  return s;
}

/// Calls fn(S{}) with a value of every body type, in the variant's order.
template <typename Fn, size_t I = 0>
void for_each_type(Fn&& fn) {
  if constexpr (I < std::variant_size_v<EventBody>) {
    fn(std::variant_alternative_t<I, EventBody>{});
    for_each_type<Fn, I + 1>(std::forward<Fn>(fn));
  }
}

std::string shown(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

const char* type_of(const EventBody& body) {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}

json to_json(const Event& event) {
  json out = json::object();
  out[kSeqKey] = event.seq;
  out[kTimeKey] = event.time;
  std::visit(
      [&](const auto& b) {
        using S = std::decay_t<decltype(b)>;
        out[kTypeKey] = S::kType;
        for (const auto& f : table_of<S>()) f.write(b, out);
      },
      event.body);
  return out;
}

Event parse_event(const json& j) {
  if (!j.is_object()) throw EventError(fmt::format("an event must be a JSON object, got {}", shown(j)));
  const auto type = j.find(kTypeKey);
  if (type == j.end() || !type->is_string()) throw EventError("an event must have a 'type' string");
  const auto name = type->get<std::string>();
  Event e;
  const auto seq = j.find(kSeqKey);
  if (seq == j.end() || !fields::decode(*seq, e.seq)) {
    throw EventError(
        fmt::format("{} event: 'seq' must be an integer, got {}", name, seq == j.end() ? "none" : shown(*seq)));
  }
  const auto time = j.find(kTimeKey);
  if (time == j.end() || !time->is_string()) {
    throw EventError(
        fmt::format("{} event: 'time' must be a string, got {}", name, time == j.end() ? "none" : shown(*time)));
  }
  e.time = time->get<std::string>();
  bool known = false;
  for_each_type([&](auto none) {
    using S = decltype(none);
    if (known || name != S::kType) return;
    known = true;
    e.body = body_from_json<S>(j);
  });
  if (!known) throw EventError(fmt::format("unknown event type '{}'", name));
  return e;
}

Event parse_event_line(std::string_view line) {
  auto j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw EventError("an event line must be JSON");
  return parse_event(j);
}

std::vector<FieldSchema> header_schema() { return {{kSeqKey, true}, {kTypeKey, true}, {kTimeKey, true}}; }

std::vector<EventSchema> event_schemas() {
  std::vector<EventSchema> out;
  for_each_type([&](auto none) {
    using S = decltype(none);
    EventSchema schema{S::kType, {}};
    for (const auto& f : table_of<S>()) schema.fields.push_back({f.key, f.always});
    out.push_back(std::move(schema));
  });
  return out;
}

}  // namespace mh::conversation::events
