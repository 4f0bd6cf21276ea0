#include "src/api/progress_relay.h"

namespace strata {

const char* ProgressPhaseName(ProgressPhase phase) {
  switch (phase) {
    case ProgressPhase::kScanning:
      return "scanning";
    case ProgressPhase::kStoring:
      return "storing";
    case ProgressPhase::kCommitting:
      return "committing";
    case ProgressPhase::kRestoring:
      return "restoring";
    case ProgressPhase::kChecking:
      return "checking";
    case ProgressPhase::kMarking:
      return "marking";
    case ProgressPhase::kRepacking:
      return "repacking";
    case ProgressPhase::kCoalescing:
      return "coalescing";
    case ProgressPhase::kSyncing:
      return "syncing";
    case ProgressPhase::kDone:
      return "done";
  }
  return "unknown";
}

void ProgressRelay::Report(const Progress& progress) {
  if (observer_ == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (sent_ && progress.phase == phase_ && now - when_ < interval_) return;
  sent_ = true;
  phase_ = progress.phase;
  when_ = now;
  observer_->OnProgress(progress);
}

std::function<void(const Progress&)> ProgressRelay::Callback() {
  if (observer_ == nullptr) return {};
  return [this](const Progress& progress) { Report(progress); };
}

}  // namespace strata
