#pragma once
/// The report's mel spectrogram images (report/mel/NNNN.png), all drawn on one dB range for the
/// whole session. Each song's loudest level is remembered in report/mel/levels.json, so that a
/// second report of a growing session draws only the new songs, and redraws everything only
/// when a new song is louder than any before (the range moved).
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "report/mel_image.hpp"
#include "report/session_reader.hpp"

namespace mh::report {

struct SongImages {
  std::vector<std::pair<int, std::string>> paths;  ///< song number → image path relative to report/
  DbRange range;                                   ///< the levels every image was drawn with
  int drawn = 0;                                   ///< images written by this call
  int kept = 0;                                    ///< images already up to date
  int left = 0;                                    ///< images not drawn for lack of time
  std::vector<std::string> warnings;               ///< songs left without a picture, and why
};

/// Draws the missing or stale images of `session` into `report_dir`/mel (created), every one of
/// them when `redraw` is set. A WAV that cannot be read leaves its song without an image and a
/// warning. With `max_seconds` > 0 it stops drawing after that long (newest songs first; the rest
/// are `left`, named in one warning, and drawn by a later call). Throws IoError when the folder or
/// an image cannot be written.
SongImages draw_song_images(const SessionData& session, const std::filesystem::path& report_dir, bool redraw,
                            double max_seconds = 0);

/// Draws the pictures of the songs whose WAVs (inside `session_dir`'s songs folder) are about to be
/// removed by the songs cap, on the range of the pictures already drawn, so that a capped session
/// keeps every song's spectrogram even when no report or live page drew it meanwhile. Throws
/// IoError when an image cannot be written.
SongImages draw_images_before_removal(const std::filesystem::path& session_dir,
                                      const std::vector<std::filesystem::path>& wavs);

}  // namespace mh::report
