// Repository::Coalesce, the public face of src/coalesce.
#include "src/api/progress_relay.h"
#include "src/api/repository_impl.h"
#include "src/coalesce.h"
#include "strata/repository.h"

namespace strata {

Result<CoalesceResult> Repository::Coalesce(const CoalesceRequest& request, ProgressObserver* progress,
                                            const CancelToken* cancel) {
  ProgressRelay relay(progress);
  Logger& log = impl_->log;
  CoalesceOptions options;
  options.request = request;
  options.on_note = [&log](const std::string& message) { log.Log(LogLevel::kInfo, message); };
  options.on_warning = [&log](const std::string& message) { log.Log(LogLevel::kWarning, message); };
  options.on_progress = relay.Callback();
  options.cancel = cancel;
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(CoalesceResult result, RunCoalesce(impl_->store.get(), options));
  for (const DamagedVersion& damaged : result.damaged) {
    log.Log(LogLevel::kError, "damaged version " + damaged.version + ": " + damaged.message,
            LogFields{.object = damaged.version});
  }
  Progress last;
  last.phase = ProgressPhase::kDone;
  last.files_done = last.files_total = result.made_full + result.redepthed;
  last.bytes_done = last.bytes_total = result.content_bytes;
  relay.Report(last);
  return result;
}

}  // namespace strata
