#include "conversation/run_control.hpp"

#include <fmt/format.h>

#include <cmath>

namespace mh::conversation {

namespace {

constexpr const char* kPrefix = "/metahuman/";

struct Named {
  const char* word;
  ControlKind kind;
};
constexpr Named kKinds[] = {{"pause", ControlKind::kPause},
                            {"resume", ControlKind::kResume},
                            {"dream", ControlKind::kDream},
                            {"sigma", ControlKind::kSigma},
                            {"stop", ControlKind::kStop}};

ControlNote ignored(ControlNote note, std::string why) {
  note.command.reset();
  note.ignored = std::move(why);
  return note;
}

std::optional<double> number_of(const ControlArg& a) {
  if (const auto* i = std::get_if<std::int64_t>(&a)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&a)) return *d;
  return std::nullopt;
}

}  // namespace

std::string to_string(ControlKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.word;
  }
  return "?";
}

ControlNote parse_control_message(const std::string& address, const std::string& types,
                                  const std::vector<ControlArg>& args, int agents) {
  ControlNote note;
  note.address = address;
  note.types = types;
  const std::string prefix = kPrefix;
  if (address.rfind(prefix, 0) != 0) return ignored(note, "unknown address: commands start with /metahuman/");
  const std::string word = address.substr(prefix.size());
  const Named* named = nullptr;
  for (const auto& k : kKinds) {
    if (word == k.word) named = &k;
  }
  if (!named) return ignored(note, "unknown address: known are pause, resume, dream, sigma, stop");
  ControlCommand c;
  c.kind = named->kind;
  if (c.kind != ControlKind::kSigma) {
    if (!args.empty()) return ignored(note, fmt::format("/metahuman/{} takes no arguments", word));
    note.command = c;
    return note;
  }
  const std::string usage = "/metahuman/sigma takes a number (every agent) or an agent index and a number";
  std::optional<double> sigma;
  if (args.size() == 1) {
    sigma = number_of(args[0]);
  } else if (args.size() == 2) {
    const auto* index = std::get_if<std::int64_t>(&args[0]);
    if (!index) return ignored(note, usage);
    if (*index < 0 || *index >= agents) {
      return ignored(note, fmt::format("agent index {} is out of range: allowed [0, {}]", *index, agents - 1));
    }
    c.agent = static_cast<int>(*index);
    sigma = number_of(args[1]);
  }
  if (!sigma) return ignored(note, usage);
  if (!std::isfinite(*sigma) || *sigma < 0 || *sigma > kMaxControlSigma) {
    return ignored(note, fmt::format("sigma = {} is out of range: allowed [0, {}]", *sigma, kMaxControlSigma));
  }
  c.sigma = *sigma;
  note.command = c;
  return note;
}

void ControlQueue::push(ControlNote note) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending_.size() >= capacity_) {
    ++dropped_;
    return;
  }
  pending_.push_back(std::move(note));
}

std::vector<ControlNote> ControlQueue::take(std::int64_t* dropped) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ControlNote> out;
  out.swap(pending_);
  if (dropped) *dropped = dropped_;
  dropped_ = 0;
  return out;
}

events::EventBody control_event(const ControlNote& note, const std::vector<std::string>& agent_names) {
  if (!note.command) {
    events::ControlIgnored e;
    e.address = note.address;
    e.types = note.types;
    e.reason = note.ignored;
    e.line = fmt::format("control: ignored {} ({}): {}", note.address,
                         note.types.empty() ? "no arguments" : note.types, note.ignored);
    return e;
  }
  const auto& c = *note.command;
  events::Control e;
  e.command = to_string(c.kind);
  e.address = note.address;
  std::string line;
  switch (c.kind) {
    case ControlKind::kPause: line = "control: pause (the conversation waits for /metahuman/resume)"; break;
    case ControlKind::kResume: line = "control: resume"; break;
    case ControlKind::kDream: line = "control: dream now"; break;
    case ControlKind::kStop: line = "control: stop"; break;
    case ControlKind::kSigma: {
      e.value = c.sigma;
      e.agent = c.agent;
      const bool one = c.agent >= 0 && static_cast<size_t>(c.agent) < agent_names.size();
      line = fmt::format("control: σ = {} for {}'s variations", c.sigma,
                         one ? agent_names[static_cast<size_t>(c.agent)] : std::string("every agent"));
      break;
    }
  }
  e.line = line;
  return e;
}

events::ControlIgnored dropped_control_event(std::int64_t dropped) {
  events::ControlIgnored e;
  e.reason = fmt::format("{} messages dropped: more arrived between two songs than the queue holds", dropped);
  e.dropped = dropped;
  e.line = fmt::format("control: ignored {} messages (too many between two songs)", dropped);
  return e;
}

std::optional<ControlKind> RunControl::apply(const events::EventBody& event) {
  const auto* control = std::get_if<events::Control>(&event);
  if (!control) return std::nullopt;
  const std::string& word = control->command;
  const Named* named = nullptr;
  for (const auto& k : kKinds) {
    if (word == k.word) named = &k;
  }
  if (!named) return std::nullopt;
  switch (named->kind) {
    case ControlKind::kPause: paused_ = true; break;
    case ControlKind::kResume: paused_ = false; break;
    case ControlKind::kSigma: {
      const double sigma = control->value.value_or(0.0);
      const int agent = control->agent.value_or(-1);
      if (agent < 0) {
        sigma_all_ = sigma;
        sigma_of_.clear();
      } else {
        sigma_of_[agent] = sigma;
      }
      break;
    }
    case ControlKind::kDream:
    case ControlKind::kStop: break;
  }
  return named->kind;
}

std::optional<double> RunControl::sigma_for(int index) const {
  const auto it = sigma_of_.find(index);
  if (it != sigma_of_.end()) return it->second;
  return sigma_all_;
}

bool is_control_event(const events::EventBody& event) {
  return std::holds_alternative<events::Control>(event) || std::holds_alternative<events::ControlIgnored>(event);
}

}  // namespace mh::conversation
