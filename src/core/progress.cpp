#include "core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace mh {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
std::string clock_text(double s) {
  const auto total = static_cast<int64_t>(s + 0.5);
  return total >= 3600 ? fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60)
                       : fmt::format("{:02}:{:02}", total / 60, total % 60);
}
}  // namespace

bool Progress::is_terminal(std::FILE* out) { return out && ::isatty(::fileno(out)) == 1; }

Progress::Progress(std::string label, int64_t total, std::string unit, std::FILE* out, double quiet_interval_s)
    : label_(std::move(label)),
      total_(std::max<int64_t>(total, 1)),
      unit_(std::move(unit)),
      out_(out),
      tty_(is_terminal(out)),
      quiet_interval_s_(quiet_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

std::string Progress::line(int64_t done, const std::string& detail) const {
  const double elapsed = seconds_since(start_);
  const double rate = elapsed > 0 ? static_cast<double>(items_) / elapsed : 0.0;
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  std::string text = fmt::format("{} {:>3.0f}% {}/{} {:.1f} {} elapsed {} eta {}", label_, 100 * fraction, done,
                                 total_, rate, unit_, clock_text(elapsed), clock_text(eta));
  if (tty_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    text = fmt::format("{} [{}{}] {}", label_, std::string(filled, '#'), std::string(kWidth - filled, '.'),
                       text.substr(label_.size() + 1));
  }
  if (!detail.empty()) text += " " + detail;
  return text;
}

void Progress::update(int64_t done, int64_t items, const std::string& detail) {
  done_ = done;
  items_ += items;
  if (!out_) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (std::chrono::duration<double>(now - last_print_).count() < 0.1 && done < total_) return;
    std::fprintf(out_, "\r\033[K%s", line(done, detail).c_str());
    std::fflush(out_);
    last_print_ = now;
  } else if (std::chrono::duration<double>(now - last_print_).count() >= quiet_interval_s_) {
    std::fprintf(out_, "%s\n", line(done, detail).c_str());
    last_print_ = now;
  }
}

void Progress::finish(const std::string& detail) {
  if (!out_) return;
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s\n", line(done_, detail).c_str());
  } else {
    std::fprintf(out_, "%s\n", line(done_, detail).c_str());
  }
  std::fflush(out_);
}

}  // namespace mh
