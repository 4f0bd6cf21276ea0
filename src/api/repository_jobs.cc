// Repository's long jobs: backup, restore and check, with their progress, cancellation and log messages.
#include <chrono>

#include "src/api/progress_relay.h"
#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/backup.h"
#include "src/check.h"
#include "src/restore.h"
#include "strata/repository.h"

namespace strata {

Result<BackupSummary> Repository::Backup(const BackupRequest& request, ProgressObserver* progress,
                                         const CancelToken* cancel) {
  const auto started = std::chrono::steady_clock::now();
  ProgressRelay relay(progress);
  Logger& log = impl_->log;
  BackupOptions options;
  options.sources = request.sources;
  options.label = request.label;
  options.excludes = request.excludes;
  options.exclude_files = request.exclude_files;
  options.max_chain = request.max_chain;
  options.exclude_caches = request.exclude_caches;
  options.one_file_system = request.one_file_system;
  options.threads = request.threads;
  options.on_warning = [&log](const std::string& message, const std::string& path) {
    log.Log(LogLevel::kWarning, message, LogFields{.path = path});
  };
  options.on_note = [&log](const std::string& message) { log.Log(LogLevel::kInfo, message); };
  options.on_progress = relay.Callback();
  options.cancel = cancel;
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(BackupResult result, RunBackup(impl_->store.get(), options));
  const SnapshotStats& stats = result.manifest.stats;
  BackupSummary summary;
  summary.snapshot_id = result.manifest.id.Hex();
  summary.snapshot_name = result.name;
  summary.files_new = stats.files_new;
  summary.files_changed = stats.files_changed;
  summary.files_unchanged = stats.files_unchanged;
  summary.errors = stats.errors;
  summary.bytes_read = stats.bytes_read;
  summary.bytes_stored = stats.bytes_added;
  summary.delta_saved = result.delta_saved;
  summary.compression_saved = result.compression_saved;
  summary.files = stats.files;
  summary.bytes = stats.bytes;
  summary.dirs = stats.dirs;
  summary.other = stats.other;
  summary.duration_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started)
          .count();
  return summary;
}

Result<RestoreSummary> Repository::Restore(std::string_view snapshot, std::string_view path,
                                           const std::string& dest, const RestoreRequest& request,
                                           ProgressObserver* progress, const CancelToken* cancel) {
  STRATA_ASSIGN_OR_RETURN(SnapshotInfo found, impl_->snapshots.Find(snapshot));
  impl_->SeeNewObjects();
  ProgressRelay relay(progress);
  Logger& log = impl_->log;
  RestoreOptions options;
  options.path = std::string(path);
  options.overwrite = request.overwrite;
  options.on_error = [&log, &found](const std::string& message, const std::string& file) {
    log.Log(LogLevel::kError, message, LogFields{.path = file, .snapshot = found.name});
  };
  options.on_progress = relay.Callback();
  options.cancel = cancel;
  STRATA_ASSIGN_OR_RETURN(RestoreStats stats, RunRestore(impl_->store.get(), found.manifest, dest, options));
  RestoreSummary summary;
  summary.files = stats.files;
  summary.dirs = stats.dirs;
  summary.other = stats.other;
  summary.bytes = stats.bytes;
  summary.errors = stats.errors;
  return summary;
}

Result<CheckReport> Repository::Check(const CheckRequest& request, ProgressObserver* progress,
                                      const CancelToken* cancel) {
  ProgressRelay relay(progress);
  Logger& log = impl_->log;
  CheckOptions options;
  options.read_data = request.read_data;
  options.on_note = [&log](const std::string& message) { log.Log(LogLevel::kInfo, message); };
  Progress last;
  last.phase = ProgressPhase::kChecking;
  if (progress != nullptr) {
    options.on_progress = [&relay, &last](const CheckProgress& checked) {
      last.files_done = checked.snapshots_done;
      last.files_total = checked.snapshots_total;
      last.bytes_done = checked.bytes_read;
      last.current_path = checked.snapshot;
      relay.Report(last);
    };
  }
  options.cancel = cancel;
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(CheckResult result, RunCheck(impl_->store.get(), options));
  CheckReport report;
  report.snapshots = result.snapshots;
  report.index_files = result.index_files;
  report.trees = result.trees;
  report.versions = result.versions;
  report.objects = result.objects;
  report.bytes_read = result.bytes_read;
  report.more_damaged = result.unlisted_problems;
  for (const CheckProblem& problem : result.problems) {
    DamagedObject damaged = ToDamagedObject(problem);
    LogFields fields{.object = damaged.object};
    if (!damaged.paths.empty()) {
      fields.path = damaged.paths[0].path;
      fields.snapshot = damaged.paths[0].snapshot;
    }
    log.Log(LogLevel::kError, "damaged " + damaged.kind + " " + damaged.object + ": " + damaged.message,
            fields);
    report.damaged.push_back(std::move(damaged));
  }
  last.phase = ProgressPhase::kDone;
  last.files_done = last.files_total = result.snapshots;
  last.bytes_total = last.bytes_done = result.bytes_read;
  last.current_path.clear();
  relay.Report(last);
  return report;
}

}  // namespace strata
