#pragma once
/// A crawl run from the command line (`crawl`, `agent new --crawl`, the demo): progress while the
/// library is read, then one line per skipped file, the chain and where it stopped.
#include <filesystem>

#include "corpus/crawl.hpp"

namespace mh::cli {

/// corpus::crawl with a progress line; prints what it chose. Throws as corpus::crawl.
corpus::CrawlResult run_crawl(const std::filesystem::path& library, const std::filesystem::path& start,
                              const std::filesystem::path& out, const corpus::CrawlSettings& settings);

}  // namespace mh::cli
