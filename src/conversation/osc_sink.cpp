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

// An integer field as an OSC int32 (the telemetry's song numbers and rounds fit).
std::int32_t int32_of(std::int64_t v) { return static_cast<std::int32_t>(v); }

void flatten_numbers(const json& j, const std::string& prefix, std::vector<std::pair<std::string, double>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto key = prefix.empty() ? it.key() : prefix + "/" + it.key();
    if (it->is_number()) out.emplace_back(key, it->get<double>());
    else if (it->is_object()) flatten_numbers(*it, key, out);
  }
}

/// The song's sidecar (its per-agent map paths and snippet length), or an empty object.
json song_sidecar_of(const events::Song& song, const OscSinkSettings& settings) {
  if (settings.session_dir.empty() || song.sidecar.empty()) return json::object();
  try {
    auto parsed = json::parse(read_file(settings.session_dir / song.sidecar, 1u << 26), nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) return parsed;
  } catch (const Error&) {
    // Live visuals go on without positions when the sidecar cannot be read.
  }
  return json::object();
}

json song_map(const json& sidecar) {
  return sidecar.contains("map") && sidecar["map"].is_object() ? sidecar["map"] : json::object();
}

double snippet_seconds(const json& sidecar) {
  return sidecar.contains("snippet_seconds") && sidecar["snippet_seconds"].is_number()
             ? sidecar["snippet_seconds"].get<double>()
             : 0;
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

std::vector<TimedOscMessage> osc_messages_for(const events::Event& event, const OscSinkSettings& settings) {
  std::vector<TimedOscMessage> out;
  const bool original = settings.original_messages;
  const bool telemetry = settings.telemetry;
  auto now = [&](std::string path, std::vector<OscArg> args) { out.push_back({0.0, {std::move(path), std::move(args)}}); };

  if (const auto* e = events::get_if<events::SessionStart>(event)) {
    if (telemetry) {
      std::string agents;
      for (const auto& a : e->agents) agents += (agents.empty() ? "" : ",") + a;
      now("/metahuman/session_start", {agents, static_cast<std::int32_t>(e->rounds), std::to_string(e->seed)});
    }
  } else if (const auto* e = events::get_if<events::RoundStart>(event)) {
    // Rounds are counted from 1, as the original's iterations; it sent the number as a string.
    if (original) now("/iteration", {std::to_string(e->round)});
    if (telemetry) now("/metahuman/round", {static_cast<std::int32_t>(e->round)});
  } else if (const auto* e = events::get_if<events::Song>(event)) {
    const auto singer = osc_address_part(e->singer);
    const auto& listener = e->listener;
    const auto& kind = e->kind;
    const double duration = std::max(0.0, static_cast<double>(static_cast<float>(e->duration_s)));
    const std::int32_t song = int32_of(e->song);
    if (original) {
      if (kind == "human") now("/" + singer + "Band", {std::string()});
      now("/" + singer, {e->line});
      if (!listener.empty()) {
        now("/" + osc_address_part(listener) + "Waits", {std::string(kind == "imitation" ? kVariationLine : kImitateLine)});
      }
    }
    if (telemetry) {
      now("/metahuman/song", {song, e->singer, listener, kind, static_cast<float>(duration),
                              static_cast<std::int32_t>(e->round), static_cast<std::int32_t>(e->turn),
                              e->parent ? int32_of(*e->parent) : -1, static_cast<float>(e->sigma)});
      const auto sidecar = song_sidecar_of(*e, settings);
      const auto map = song_map(sidecar);
      double step = snippet_seconds(sidecar);
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
    if (telemetry) out.push_back({end, {"/metahuman/song_end", {song, e->singer}}});
  } else if (const auto* e = events::get_if<events::Listen>(event)) {
    if (telemetry) {
      now("/metahuman/listen", {e->agent, int32_of(e->song), static_cast<float>(e->human_fraction)});
    }
  } else if (const auto* e = events::get_if<events::DreamStart>(event)) {
    if (original) now("/" + osc_address_part(e->agent) + "Sleeps", {std::string(kSleepLine)});
    if (telemetry) {
      now("/metahuman/dream_start", {e->agent, static_cast<std::int32_t>(e->dream), static_cast<std::int32_t>(e->round)});
    }
  } else if (const auto* e = events::get_if<events::DreamEnd>(event)) {
    if (telemetry) {
      const auto dream = static_cast<std::int32_t>(e->dream);
      now("/metahuman/dream_end", {e->agent, dream, static_cast<std::int32_t>(e->round), static_cast<float>(e->seconds)});
      std::vector<std::pair<std::string, double>> values;
      flatten_numbers(e->measures, "", values);
      for (const auto& [key, value] : values) {
        if (key == "dream" || key == "round") continue;
        std::string path = "/metahuman/measures";
        for (std::size_t start = 0; start <= key.size();) {
          const auto slash = std::min(key.find('/', start), key.size());
          path += "/" + osc_address_part(key.substr(start, slash - start));
          start = slash + 1;
        }
        now(path, {e->agent, dream, static_cast<float>(value)});
      }
    }
  } else if (const auto* e = events::get_if<events::SessionEnd>(event)) {
    if (telemetry) now("/metahuman/session_end", {static_cast<std::int32_t>(e->rounds_done)});
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

void OscSink::on_event(const events::Event& event) {
  auto messages = osc_messages_for(event, settings_);
  const auto t0 = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (events::get_if<events::Song>(event) || events::get_if<events::DreamStart>(event) ||
        events::get_if<events::SessionEnd>(event)) {
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
