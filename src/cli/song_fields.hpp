#pragma once
/// The sidecar fields every song a command writes starts from.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "agent/agent.hpp"

namespace mh::cli {

inline nlohmann::json song_fields(const agent::Agent& a, const std::string& kind, std::uint64_t seed) {
  return {{"agent", a.name()}, {"kind", kind}, {"seed", seed}, {"ml1_version", a.ml1_version()}};
}

}  // namespace mh::cli
