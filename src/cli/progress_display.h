// How the CLI shows a job's progress (backup, restore, check): on a terminal one line rewritten in place
// (files and bytes done of the total, current rate, what delta encoding and compression saved, ETA; or
// "estimating" while the totals are not known); elsewhere (a pipe, a log) one plain line every 10 s, or
// every $STRATA_PROGRESS_INTERVAL seconds (for tests); with --json a {"type":"progress"} line at every change
// of phase and at most every second.
#pragma once

#include <chrono>
#include <string>

#include "src/cli/cli_log.h"
#include "strata/progress.h"

namespace strata::cli {

class ProgressDisplay : public ProgressObserver {
 public:
  // `job` names the lines ("backup"); `unit` is what files_done counts ("files", "snapshots"); `shown`:
  // draw the human line (--progress), which goes to stderr.
  ProgressDisplay(std::string job, std::string unit, bool shown, CliLog* log);
  ~ProgressDisplay() override;
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  void OnProgress(const Progress& progress) override;
  // Takes the live line off the terminal, so that what follows starts on a clean line.
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  std::string Line(const Progress& p) const;
  void Emit(const Progress& p);
  void UpdateRate(const Progress& p, Clock::time_point now);

  std::string job_;
  std::string unit_;
  bool shown_;
  CliLog* log_;
  bool tty_;
  Clock::duration interval_;  // between plain lines
  Clock::time_point started_ = Clock::now();
  Clock::time_point drawn_;    // the last human line
  Clock::time_point emitted_;  // the last JSON line
  bool emitted_any_ = false;
  ProgressPhase phase_ = ProgressPhase::kScanning;
  // The rate, smoothed over samples at least half a second apart.
  Clock::time_point sampled_;
  uint64_t sampled_bytes_ = 0;
  double rate_ = 0;  // bytes per second
};

}  // namespace strata::cli
