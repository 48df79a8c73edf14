#include "conversation/osc_sink.hpp"

#include <fmt/format.h>
#include <lo/lo.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/files.hpp"

namespace mh::conversation {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The original piece's lines (its Conversator.py), for the messages whose events carry none.
constexpr const char* kImitateLine = "Nice machine music! I will try to imitate that!";
constexpr const char* kVariationLine = "Mhhh... Interesting Song! Let me think about a variation...";
constexpr const char* kDoneLine = "I'm done singing my song. Did you like it?";
constexpr const char* kSleepLine = "ZzzZzz I'm dreaming about all the music i've heard...";
constexpr double kSilenceAfterSong_s = 1.0;  // the original waits 1 s after every song

std::string text_of(const json& e, const char* key) {
  if (!e.contains(key)) return {};
  const auto& v = e[key];
  return v.is_string() ? v.get<std::string>() : (v.is_null() ? std::string() : v.dump());
}
std::int32_t int_of(const json& e, const char* key, std::int32_t fallback = -1) {
  return e.contains(key) && e[key].is_number() ? static_cast<std::int32_t>(e[key].get<double>()) : fallback;
}
float float_of(const json& e, const char* key, float fallback = 0.0f) {
  return e.contains(key) && e[key].is_number() ? static_cast<float>(e[key].get<double>()) : fallback;
}

void flatten_numbers(const json& j, const std::string& prefix, std::vector<std::pair<std::string, double>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto key = prefix.empty() ? it.key() : prefix + "/" + it.key();
    if (it->is_number()) out.emplace_back(key, it->get<double>());
    else if (it->is_object()) flatten_numbers(*it, key, out);
  }
}

/// The song's per-agent map paths: from the event if it has them, else from its sidecar.
json song_map(const json& event, const OscSinkSettings& settings) {
  if (event.contains("map") && event["map"].is_object()) return event["map"];
  const auto sidecar = text_of(event, "sidecar");
  if (settings.session_dir.empty() || sidecar.empty()) return json::object();
  try {
    auto parsed = json::parse(read_file(settings.session_dir / sidecar, 1u << 26), nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("map") && parsed["map"].is_object()) {
      return parsed["map"];
    }
  } catch (const Error&) {
    // Live visuals go on without positions when the sidecar cannot be read.
  }
  return json::object();
}

double snippet_seconds(const json& event, const OscSinkSettings& settings) {
  if (event.contains("snippet_seconds") && event["snippet_seconds"].is_number()) return event["snippet_seconds"].get<double>();
  const auto sidecar = text_of(event, "sidecar");
  if (!settings.session_dir.empty() && !sidecar.empty()) {
    try {
      auto parsed = json::parse(read_file(settings.session_dir / sidecar, 1u << 26), nullptr, false);
      if (!parsed.is_discarded() && parsed.contains("snippet_seconds") && parsed["snippet_seconds"].is_number()) {
        return parsed["snippet_seconds"].get<double>();
      }
    } catch (const Error&) {
    }
  }
  return 0;
}

}  // namespace

OscTarget parse_osc_target(const std::string& text) {
  OscTarget target;
  const auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? text : text.substr(0, colon);
  std::string port = colon == std::string::npos ? std::string() : text.substr(colon + 1);
  if (colon == std::string::npos && !text.empty() &&
      text.find_first_not_of("0123456789") == std::string::npos) {
    port = text;
    host.clear();
  }
  if (!host.empty()) target.host = host;
  if (!port.empty()) {
    const bool digits = port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
    const long value = digits ? std::stol(port) : -1;
    if (value < 1 || value > 65535) {
      throw SettingsError(fmt::format("--osc = '{}': the port must be a number in [1, 65535] (HOST:PORT, HOST or :PORT)", text));
    }
    target.port = static_cast<int>(value);
  }
  if (text.empty() || target.host.find_first_of(" /") != std::string::npos) {
    throw SettingsError(fmt::format("--osc = '{}' is not HOST:PORT, HOST or :PORT", text));
  }
  return target;
}

std::string osc_address_part(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    const bool bad = c <= ' ' || c >= 127 || c == '#' || c == '*' || c == ',' || c == '/' || c == '?' || c == '[' ||
                     c == ']' || c == '{' || c == '}';
    out += bad ? '_' : static_cast<char>(c);
  }
  return out.empty() ? "_" : out;
}

std::vector<TimedOscMessage> osc_messages_for(const json& event, const OscSinkSettings& settings) {
  std::vector<TimedOscMessage> out;
  const bool original = settings.original_messages;
  const bool telemetry = settings.telemetry;
  auto now = [&](std::string path, std::vector<OscArg> args) { out.push_back({0.0, {std::move(path), std::move(args)}}); };
  const auto type = text_of(event, "type");

  if (type == "session_start") {
    if (telemetry) {
      std::string agents;
      if (event.contains("agents") && event["agents"].is_array()) {
        for (const auto& a : event["agents"]) agents += (agents.empty() ? "" : ",") + (a.is_string() ? a.get<std::string>() : a.dump());
      }
      now("/metahuman/session_start", {agents, int_of(event, "rounds"), text_of(event, "seed")});
    }
  } else if (type == "round_start") {
    // Rounds are counted from 1, as the original's iterations; it sent the number as a string.
    if (original) now("/iteration", {std::to_string(int_of(event, "round", 1))});
    if (telemetry) now("/metahuman/round", {int_of(event, "round", 0)});
  } else if (type == "song") {
    const auto singer = osc_address_part(text_of(event, "singer"));
    const auto listener = text_of(event, "listener");
    const auto kind = text_of(event, "kind");
    const double duration = std::max(0.0, static_cast<double>(float_of(event, "duration_s")));
    const int song = int_of(event, "song");
    if (original) {
      if (kind == "human") now("/" + singer + "Band", {std::string()});
      now("/" + singer, {text_of(event, "line")});
      if (!listener.empty()) {
        now("/" + osc_address_part(listener) + "Waits", {std::string(kind == "imitation" ? kVariationLine : kImitateLine)});
      }
    }
    if (telemetry) {
      now("/metahuman/song", {song, text_of(event, "singer"), listener, kind, static_cast<float>(duration),
                              int_of(event, "round"), int_of(event, "turn"), int_of(event, "parent"),
                              float_of(event, "sigma")});
      const auto map = song_map(event, settings);
      double step = snippet_seconds(event, settings);
      for (auto it = map.begin(); it != map.end(); ++it) {
        if (!it->is_array() || it->empty()) continue;
        const auto n = static_cast<double>(it->size());
        if (!(step > 0)) step = duration / n;
        for (std::size_t i = 0; i < it->size(); ++i) {
          const auto& p = (*it)[i];
          if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) continue;
          const double delay = settings.real_time ? std::min(duration, step * static_cast<double>(i)) : 0.0;
          out.push_back({delay,
                         {"/metahuman/map", {it.key(), song, static_cast<std::int32_t>(i), p[0].get<float>(), p[1].get<float>()}}});
        }
      }
    }
    const double end = settings.real_time ? duration + kSilenceAfterSong_s : 0.0;
    if (original) out.push_back({end, {"/" + singer + "Done", {std::string(kDoneLine)}}});
    if (telemetry) out.push_back({end, {"/metahuman/song_end", {song, text_of(event, "singer")}}});
  } else if (type == "listen") {
    if (telemetry) {
      now("/metahuman/listen", {text_of(event, "agent"), int_of(event, "song"), float_of(event, "human_fraction", -1.0f)});
    }
  } else if (type == "dream_start") {
    if (original) now("/" + osc_address_part(text_of(event, "agent")) + "Sleeps", {std::string(kSleepLine)});
    if (telemetry) now("/metahuman/dream_start", {text_of(event, "agent"), int_of(event, "dream"), int_of(event, "round")});
  } else if (type == "dream_end") {
    if (telemetry) {
      const auto agent = text_of(event, "agent");
      const int dream = int_of(event, "dream");
      now("/metahuman/dream_end", {agent, dream, int_of(event, "round"), float_of(event, "seconds")});
      std::vector<std::pair<std::string, double>> values;
      if (event.contains("measures") && event["measures"].is_object()) flatten_numbers(event["measures"], "", values);
      for (const auto& [key, value] : values) {
        if (key == "dream" || key == "round") continue;
        std::string path = "/metahuman/measures";
        for (std::size_t start = 0; start <= key.size();) {
          const auto slash = std::min(key.find('/', start), key.size());
          path += "/" + osc_address_part(key.substr(start, slash - start));
          start = slash + 1;
        }
        now(path, {agent, dream, static_cast<float>(value)});
      }
    }
  } else if (type == "session_end") {
    if (telemetry) now("/metahuman/session_end", {int_of(event, "rounds_done")});
  }
  return out;
}

OscSink::OscSink(OscSinkSettings settings) : settings_(std::move(settings)) {
  const auto port = std::to_string(settings_.target.port);
  lo_address address = lo_address_new(settings_.target.host.c_str(), port.c_str());
  if (address == nullptr) {
    throw SettingsError(fmt::format("--osc: cannot send to {}:{}", settings_.target.host, settings_.target.port));
  }
  address_ = std::shared_ptr<void>(address, [](void* a) { lo_address_free(static_cast<lo_address>(a)); });
  worker_ = std::thread([this] { run(); });
}

OscSink::~OscSink() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void OscSink::on_event(const json& event) {
  auto messages = osc_messages_for(event, settings_);
  const auto type = text_of(event, "type");
  const auto t0 = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (type == "song" || type == "dream_start" || type == "session_end") {
      // What the previous song still had scheduled goes out first, in its order.
      decltype(queue_) hurried;
      for (auto& [key, message] : queue_) hurried.emplace(std::make_pair(Clock::time_point::min(), key.second), std::move(message));
      queue_.swap(hurried);
    }
    for (auto& m : messages) {
      const auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(m.delay_s));
      queue_.emplace(std::make_pair(due, next_seq_++), std::move(m.message));
    }
  }
  wake_.notify_all();
}

void OscSink::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  decltype(queue_) hurried;
  for (auto& [key, message] : queue_) hurried.emplace(std::make_pair(Clock::time_point::min(), key.second), std::move(message));
  queue_.swap(hurried);
  wake_.notify_all();
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

std::int64_t OscSink::messages_sent() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sent_;
}

std::int64_t OscSink::messages_failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failed_;
}

void OscSink::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      idle_.notify_all();
      if (stop_) return;
      wake_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    if (!stop_ && first->first.first > Clock::now()) {
      // A copy: wait_until reads the deadline again after waking, by which time on_event may have
      // replaced the queue and freed this entry (AddressSanitizer caught it).
      const Clock::time_point due = first->first.first;
      wake_.wait_until(lock, due);
      continue;
    }
    auto message = std::move(first->second);
    queue_.erase(first);
    busy_ = true;
    lock.unlock();
    send(message);
    lock.lock();
    busy_ = false;
  }
}

void OscSink::send(const OscMessage& message) {
  lo_message m = lo_message_new();
  for (const auto& arg : message.args) {
    if (const auto* i = std::get_if<std::int32_t>(&arg)) lo_message_add_int32(m, *i);
    else if (const auto* f = std::get_if<float>(&arg)) lo_message_add_float(m, *f);
    else lo_message_add_string(m, std::get<std::string>(arg).c_str());
  }
  const int r = lo_send_message(static_cast<lo_address>(address_.get()), message.path.c_str(), m);
  lo_message_free(m);
  std::lock_guard<std::mutex> lock(mutex_);
  (r < 0 ? failed_ : sent_) += 1;
}

}  // namespace mh::conversation
