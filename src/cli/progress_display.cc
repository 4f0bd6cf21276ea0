#include "src/cli/progress_display.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {
namespace {

constexpr auto kTtyRedraw = std::chrono::milliseconds(200);
constexpr auto kJsonInterval = std::chrono::seconds(1);
constexpr auto kPlainInterval = std::chrono::seconds(10);

// $STRATA_PROGRESS_INTERVAL (seconds, for tests), else 10 s.
std::chrono::steady_clock::duration PlainInterval() {
  const char* env = std::getenv("STRATA_PROGRESS_INTERVAL");  // NOLINT(concurrency-mt-unsafe)
  if (env == nullptr || *env == '\0') return kPlainInterval;
  char* end = nullptr;
  const double seconds = std::strtod(env, &end);
  if (*end != '\0' || !(seconds > 0) || seconds > 86400) return kPlainInterval;
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}

std::string Duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (s >= 3600) {
    snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::string job, std::string unit, bool shown, CliLog* log)
    : job_(std::move(job)),
      unit_(std::move(unit)),
      shown_(shown),
      log_(log),
      tty_(isatty(STDERR_FILENO) != 0),
      interval_(PlainInterval()),
      drawn_(started_),
      sampled_(started_) {}

ProgressDisplay::~ProgressDisplay() { Clear(); }

void ProgressDisplay::Clear() { log_->ShowLiveLine(""); }

void ProgressDisplay::UpdateRate(const Progress& p, Clock::time_point now) {
  const double dt = std::chrono::duration<double>(now - sampled_).count();
  if (p.bytes_done < sampled_bytes_) return;
  if (dt < 0.5) {
    // Until the first sample, the average since the start.
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    if (sampled_ == started_ && elapsed > 0.1) rate_ = static_cast<double>(p.bytes_done) / elapsed;
    return;
  }
  const double instant = static_cast<double>(p.bytes_done - sampled_bytes_) / dt;
  rate_ = rate_ == 0 ? instant : 0.7 * rate_ + 0.3 * instant;
  sampled_ = now;
  sampled_bytes_ = p.bytes_done;
}

std::string ProgressDisplay::Line(const Progress& p) const {
  // An estimated total (the parent snapshot's) is shown as "~".
  const std::string of = p.totals_estimated ? "/~" : "/";
  // A prune counts snapshots while marking, then packs.
  const bool packs =
      p.phase == ProgressPhase::kRepacking || (job_ == "prune" && p.phase == ProgressPhase::kCommitting);
  std::string line = job_ + ": " + std::to_string(p.files_done);
  if (p.files_total != 0) line += of + std::to_string(p.files_total);
  line += " " + (packs ? std::string("packs") : unit_) + ", " + HumanBytes(p.bytes_done);
  if (p.bytes_total != 0) line += of + HumanBytes(p.bytes_total);
  if (rate_ > 0) line += ", " + HumanBytes(static_cast<uint64_t>(rate_)) + "/s";
  if (p.delta_saved != 0 || p.compression_saved != 0) {
    line += ", saved " + HumanBytes(p.delta_saved) + " by delta, " + HumanBytes(p.compression_saved) +
            " by compression";
  }
  if (p.phase == ProgressPhase::kCommitting) return line + ", committing";
  // The ETA needs the totals; the rate covers bytes (files when only their count is known, as in check).
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  double left = -1;
  if (p.bytes_total != 0 && rate_ > 0) {
    left = static_cast<double>(p.bytes_total > p.bytes_done ? p.bytes_total - p.bytes_done : 0) / rate_;
  } else if (p.bytes_total == 0 && p.files_total != 0 && p.files_done != 0) {
    left = elapsed * static_cast<double>(p.files_total - std::min(p.files_done, p.files_total)) /
           static_cast<double>(p.files_done);
  }
  if (left < 0) return line + ", estimating";
  return line + (p.totals_estimated ? ", ETA ~" : ", ETA ") + Duration(left);
}

void ProgressDisplay::Emit(const Progress& p) {
  JsonObject o;
  o.Add("type", "progress").Add("job", job_).Add("phase", ProgressPhaseName(p.phase));
  o.Add("files_done", p.files_done).Add("files_total", p.files_total);
  o.Add("bytes_done", p.bytes_done).Add("bytes_total", p.bytes_total);
  o.Add("totals_estimated", p.totals_estimated);
  o.Add("delta_saved", p.delta_saved).Add("compression_saved", p.compression_saved);
  o.Add("bytes_per_second", static_cast<uint64_t>(rate_)).Add("path", p.current_path);
  log_->Emit(o.str(), /*live=*/true);
}

void ProgressDisplay::OnProgress(const Progress& p) {
  const auto now = Clock::now();
  UpdateRate(p, now);
  const bool new_phase = p.phase != phase_;
  phase_ = p.phase;
  if (log_->json() && (!emitted_any_ || new_phase || now - emitted_ >= kJsonInterval)) {
    Emit(p);
    emitted_ = now;
    emitted_any_ = true;
  }
  if (!shown_ || p.phase == ProgressPhase::kDone) return;
  // Off a terminal the first line waits a full interval: short jobs print none.
  if (now - drawn_ < (tty_ ? std::chrono::duration_cast<Clock::duration>(kTtyRedraw) : interval_)) return;
  drawn_ = now;
  if (tty_) {
    log_->ShowLiveLine(Line(p));
  } else {
    std::cerr << "strata: " << Line(p) << std::endl;
  }
}

}  // namespace strata::cli
