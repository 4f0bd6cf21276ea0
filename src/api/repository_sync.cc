// Repository::Sync, SyncToFile and Receive, the public face of src/sync and src/receive.
#include "src/api/progress_relay.h"
#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/receive.h"
#include "src/sync.h"
#include "strata/repository.h"

namespace strata {
namespace {

SyncOptions MakeOptions(Logger& log, ProgressRelay& relay, const CancelToken* cancel) {
  SyncOptions options;
  options.on_note = [&log](const std::string& message) { log.Log(LogLevel::kInfo, message); };
  options.on_progress = relay.Callback();
  options.cancel = cancel;
  return options;
}

SyncSummary ToSummary(const SyncResult& result) {
  SyncSummary summary;
  summary.verbatim = result.verbatim;
  for (const SyncedCopy& c : result.synced) summary.synced.push_back({ToSnapshot(c.source), c.copy.Hex()});
  for (const SnapshotInfo& s : result.present) summary.present.push_back(ToSnapshot(s));
  summary.objects_sent = result.objects_sent;
  summary.objects_present = result.objects_present;
  summary.bytes_sent = result.bytes_sent;
  return summary;
}

}  // namespace

Result<SyncSummary> Repository::Sync(Repository& destination, const SyncRequest& request,
                                     ProgressObserver* progress, const CancelToken* cancel) {
  ProgressRelay relay(progress);
  SyncOptions options = MakeOptions(impl_->log, relay, cancel);
  options.snapshots = request.snapshots;
  if (!request.since.empty()) {
    return Status::InvalidArgument("store " + path() + ": since applies to a stream file only");
  }
  impl_->SeeNewObjects();
  destination.impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(SyncResult result,
                          RunSync(impl_->store.get(), destination.impl_->store.get(), options));
  return ToSummary(result);
}

Result<SyncSummary> Repository::SyncToFile(const std::string& path, const SyncRequest& request,
                                           ProgressObserver* progress, const CancelToken* cancel) {
  ProgressRelay relay(progress);
  SyncOptions options = MakeOptions(impl_->log, relay, cancel);
  options.snapshots = request.snapshots;
  options.since = request.since;
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(SyncResult result, RunSyncToFile(impl_->store.get(), path, options));
  return ToSummary(result);
}

Result<SyncSummary> Repository::Receive(const std::string& path, ProgressObserver* progress,
                                        const CancelToken* cancel) {
  ProgressRelay relay(progress);
  SyncOptions options = MakeOptions(impl_->log, relay, cancel);
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(SyncResult result, RunReceive(impl_->store.get(), path, options));
  return ToSummary(result);
}

}  // namespace strata
