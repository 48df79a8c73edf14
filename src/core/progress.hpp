#pragma once
/// Progress of long work. On a terminal: one redrawn line with a bar, rate, ETA and the current
/// loss. Otherwise (logs, CI): a plain line at most every `quiet_interval_s` seconds.
#include <chrono>
#include <cstdio>
#include <string>

namespace mh {

class Progress {
 public:
  /// `total` units of work (e.g. batches), `unit` names them in the rate ("snippets/s").
  Progress(std::string label, int64_t total, std::string unit, std::FILE* out = stderr,
           double quiet_interval_s = 30.0);
  /// Reports that `done` units are finished; `items` counts what the rate is about; `detail`
  /// is appended as is (e.g. "loss 0.0123").
  void update(int64_t done, int64_t items, const std::string& detail = {});
  /// Ends the line (terminal) or prints the final line (log).
  void finish(const std::string& detail = {});
  static bool is_terminal(std::FILE* out);

 private:
  std::string line(int64_t done, const std::string& detail) const;
  std::string label_;
  int64_t total_;
  std::string unit_;
  std::FILE* out_;
  bool tty_;
  double quiet_interval_s_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int64_t items_ = 0;
  int64_t done_ = 0;
};

}  // namespace mh
