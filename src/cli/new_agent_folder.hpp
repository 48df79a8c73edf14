#pragma once
/// Making a new agent from the command line so that a mistake leaves nothing behind: inputs are
/// checked before anything is created, and the agent is filled in a hidden sibling folder that
/// takes the agent's name only once its dataset holds audio to learn from.
#include <filesystem>
#include <functional>
#include <vector>

#include "agent/agent.hpp"
#include "corpus/ingest_report.hpp"

namespace mh::cli {

/// Throws InputError "<path>: no such file or folder" for the first path that does not exist
/// (`what` names it: "the corpus folder does not exist").
void require_existing(const std::vector<std::filesystem::path>& paths, const char* what = "no such file or folder");

/// Throws InputError when `dir` cannot become a new agent: it is a file, or a folder that is not
/// empty (an agent in it, or anything else).
void require_free_agent_folder(const std::filesystem::path& dir);

/// Throws InputError when the ingest took no audio: one line naming `inputs` and why the first
/// refused file was refused.
void require_audio_taken(const corpus::IngestReport& report, const std::vector<std::filesystem::path>& inputs);

/// Creates the agent in a hidden sibling of `dir`, runs `fill` on it (ingest; it throws to give
/// up), then renames it to `dir` and returns it opened there. The sibling is removed when
/// anything throws, so `dir` either is the new agent or is as it was.
agent::Agent make_agent(const std::filesystem::path& dir, const agent::AgentSettings& settings,
                        const std::function<void(agent::Agent&)>& fill);

}  // namespace mh::cli
