#include "cli/progress_line.hpp"

#include <fmt/format.h>

namespace mh::cli {

ProgressLine::ProgressLine(std::string label, std::string unit) : label_(std::move(label)), unit_(std::move(unit)) {}

void ProgressLine::update(int64_t epoch, int64_t done, int64_t total, const std::string& detail) {
  if (!bar_ || epoch != epoch_) {
    finish();
    const auto label = epoch == kNoEpoch ? label_ : fmt::format("{} epoch {}", label_, epoch);
    bar_ = std::make_unique<Progress>(label, total, unit_);
    epoch_ = epoch;
  }
  bar_->update(done, 1, detail);
}

void ProgressLine::finish(const std::string& detail) {
  if (bar_) bar_->finish(detail);
  bar_.reset();
}

}  // namespace mh::cli
