#pragma once
/// The CLI's one progress display for long work: one core/progress line per epoch of a training
/// run (a new epoch ends the previous line), or one line for a count of work (files).
#include <cstdint>
#include <memory>
#include <string>

#include "core/progress.hpp"

namespace mh::cli {

class ProgressLine {
 public:
  static constexpr int64_t kNoEpoch = -1;

  /// Lines are labelled "<label> epoch <n>", or "<label>" for kNoEpoch; `unit` names the rate.
  ProgressLine(std::string label, std::string unit);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// `done` of `total` units of `epoch` are finished; `detail` is shown as is (e.g. the loss).
  void update(int64_t epoch, int64_t done, int64_t total, const std::string& detail = {});
  /// Ends the current line, if any, with `detail`; the next update starts a new one.
  void finish(const std::string& detail = {});

 private:
  std::string label_, unit_;
  std::unique_ptr<Progress> bar_;
  int64_t epoch_ = kNoEpoch;
};

}  // namespace mh::cli
