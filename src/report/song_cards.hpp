#pragma once
/// The report's "Songs" section: one card per song with what it is, a player, the spectrogram of
/// the song it answers beside its own (one time scale and one dB range for all), and a colour
/// bar that says what the colours mean.
#include <map>
#include <string>

#include "report/mel_image.hpp"
#include "report/session_reader.hpp"

namespace mh::report {

/// The section's markup; `images` maps song number → image path relative to the report folder.
std::string songs_section(const SessionData& session, const std::map<int, std::string>& images, const DbRange& range);

}  // namespace mh::report
