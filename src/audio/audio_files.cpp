#include "audio/audio_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "core/errors.hpp"

namespace mh::audio {
namespace fs = std::filesystem;

bool is_audio_file(const fs::path& path) {
  static const std::array<const char*, 8> kExtensions = {".wav", ".flac", ".ogg", ".oga",
                                                         ".opus", ".mp3", ".aif", ".aiff"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

std::vector<fs::path> list_audio_files(const fs::path& file_or_folder) {
  std::error_code ec;
  const auto status = fs::status(file_or_folder, ec);
  if (ec || !fs::exists(status)) {
    throw InputError(fmt::format("{}: no such file or folder", file_or_folder.string()));
  }
  if (!fs::is_directory(status)) return {file_or_folder};

  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(file_or_folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw InputError(fmt::format("{}: cannot list folder: {}", file_or_folder.string(), ec.message()));
  const fs::recursive_directory_iterator end;
  while (it != end) {
    const auto name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
    } else if (it->is_regular_file(ec) && is_audio_file(it->path())) {
      found.push_back(it->path());
    }
    it.increment(ec);
    if (ec) throw InputError(fmt::format("{}: cannot list folder: {}", file_or_folder.string(), ec.message()));
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace mh::audio
