#include "conformance/progress.h"

#include <algorithm>
#include <vector>

namespace tandem::conformance {
namespace {

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 1) + "~";
  return text + std::string(width - text.size() + 2, ' ');
}

std::string right(const std::string& text, std::size_t width) {
  return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

}  // namespace

Progress::Progress(std::FILE* stream, bool terminal)
    : stream_(stream), terminal_(terminal), start_(std::chrono::steady_clock::now()) {}

void Progress::add_expected(int count) {
  std::lock_guard<std::mutex> lock(mutex_);
  expected_ += count;
}

void Progress::report(const std::string& lane, const CaseResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  counts_.add(result.outcome);
  if (terminal_) {
    draw_bar(lane, result);
    // Failures also stay on screen above the bar.
    if (!is_failure(result.outcome)) return;
    std::fprintf(stream_, "\r\033[K");
  }
  std::string line = std::string(outcome_name(result.outcome)) + " " + lane + " " + result.case_id;
  if (result.outcome != Outcome::Pass && !result.reason.empty()) line += ": " + result.reason;
  std::fprintf(stream_, "%s\n", line.c_str());
  std::fflush(stream_);
}

void Progress::note(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_ && bar_drawn_) std::fprintf(stream_, "\r\033[K");
  std::fprintf(stream_, "%s\n", line.c_str());
  std::fflush(stream_);
}

void Progress::draw_bar(const std::string& lane, const CaseResult& result) {
  const int width = 30;
  const int total = std::max(expected_, done_);
  const int filled = total > 0 ? width * done_ / total : width;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(static_cast<std::size_t>(filled), '=');
  bar += std::string(static_cast<std::size_t>(width - filled), ' ');
  std::string current = lane + " " + result.case_id;
  if (current.size() > 48) current = current.substr(0, 47) + "~";
  std::fprintf(stream_, "\r\033[K[%s] %d/%d  pass %d fail %d skip %d  %.0fs  %s", bar.c_str(),
               done_, total, counts_.pass, counts_.failures(), counts_.skip + counts_.xfail,
               elapsed, current.c_str());
  std::fflush(stream_);
  bar_drawn_ = true;
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_ && bar_drawn_) std::fprintf(stream_, "\n");
  std::fflush(stream_);
}

std::string summary_table(const RunReport& report) {
  std::string table = pad("backend", 10) + pad("device", 44) + right("pass", 6) + right("fail", 6) +
                      right("skip", 6) + right("xfail", 6) + right("xpass", 6) + "\n";
  for (const LaneReport& lane : report.lanes) {
    const OutcomeCounts c = lane.counts();
    table += pad(lane.backend, 10);
    if (!lane.available) {
      table += "unavailable: " + lane.note + "\n";
      continue;
    }
    table += pad(lane.device.name, 44) + right(std::to_string(c.pass), 6) +
             right(std::to_string(c.fail), 6) + right(std::to_string(c.skip), 6) +
             right(std::to_string(c.xfail), 6) + right(std::to_string(c.xpass), 6) + "\n";
  }
  return table;
}

}  // namespace tandem::conformance
