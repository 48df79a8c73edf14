#pragma once
/// The report's "Imitation chains" section: for each chain the session holds (`metahuman chain
/// --session`), the curve of its notes pass by pass (drawn by the page's script from the data
/// below) and a player for every pass, so that a listener hears the music fade as the curve says.
#include <nlohmann/json.hpp>

#include <string>

#include "report/session_reader.hpp"

namespace mh::report {

/// The section's markup; empty when the session holds no chain.
std::string chains_section(const SessionData& session);

/// What the page's script draws for each chain: name, agents, excerpt, half pass and per pass its
/// singer and its figures against the excerpt and against the pass before.
nlohmann::json chains_data(const SessionData& session);

}  // namespace mh::report
