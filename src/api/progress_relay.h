// ProgressRelay: passes a job's progress on to a ProgressObserver the way progress.h promises: one call at a
// time, at most every 100 ms, and always at a change of phase (so the first report and kDone always arrive).
// The jobs report after every file, which would be far too often for a GUI to redraw.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "strata/progress.h"

namespace strata {

class ProgressRelay {
 public:
  // A null observer takes nothing.
  explicit ProgressRelay(ProgressObserver* observer,
                         std::chrono::steady_clock::duration interval = std::chrono::milliseconds(100))
      : observer_(observer), interval_(interval) {}

  void Report(const Progress& progress);
  // Report as a job's callback; empty without an observer, so that the job builds no reports at all.
  std::function<void(const Progress&)> Callback();

 private:
  ProgressObserver* observer_;
  std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  bool sent_ = false;                               // guarded by mu_
  ProgressPhase phase_ = ProgressPhase::kScanning;  // guarded by mu_: of the last report sent
  std::chrono::steady_clock::time_point when_;      // guarded by mu_: of the last report sent
};

}  // namespace strata
