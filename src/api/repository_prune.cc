// Repository::Prune, the public face of src/prune.
#include "src/api/progress_relay.h"
#include "src/api/repository_impl.h"
#include "src/prune.h"
#include "strata/repository.h"

namespace strata {

Result<PruneResult> Repository::Prune(const PruneRequest& request, ProgressObserver* progress,
                                      const CancelToken* cancel) {
  ProgressRelay relay(progress);
  Logger& log = impl_->log;
  PruneOptions options;
  options.request = request;
  options.cancel = cancel;
  options.on_note = [&log](const std::string& message) { log.Log(LogLevel::kInfo, message); };
  Progress last;
  if (progress != nullptr) {
    options.on_progress = [&relay, &last](const PruneProgress& p) {
      const bool marking = p.phase == PruneProgress::Phase::kMarking;
      last.phase = marking ? ProgressPhase::kMarking
                           : (p.phase == PruneProgress::Phase::kRepacking ? ProgressPhase::kRepacking
                                                                          : ProgressPhase::kCommitting);
      last.files_done = marking ? p.snapshots_done : p.packs_done;
      last.files_total = marking ? p.snapshots_total : p.packs_total;
      last.bytes_done = p.bytes_done;
      last.bytes_total = p.bytes_total;
      last.current_path = p.current;
      relay.Report(last);
    };
  }
  STRATA_ASSIGN_OR_RETURN(PruneResult result, RunPrune(impl_->store.get(), options));
  last.phase = ProgressPhase::kDone;
  relay.Report(last);
  return result;
}

}  // namespace strata
