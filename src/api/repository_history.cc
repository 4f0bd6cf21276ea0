// Repository: diff, log and tar export, the public face of src/snapshot_diff, src/path_log and
// src/tar_export.
#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/path_log.h"
#include "src/snapshot_diff.h"
#include "src/tar_export.h"
#include "strata/repository.h"

namespace strata {

Result<DiffSummary> Repository::Diff(std::string_view before, std::string_view after, std::string_view path,
                                     const std::function<void(const Change&)>& on_change) {
  STRATA_ASSIGN_OR_RETURN(SnapshotInfo a, impl_->store->FindSnapshot(before));
  STRATA_ASSIGN_OR_RETURN(SnapshotInfo b, impl_->store->FindSnapshot(after));
  impl_->SeeNewObjects();
  return DiffSnapshots(impl_->store.get(), a, b, path, [&](const TreeChange& c) {
    Change change;
    change.kind = c.kind;
    change.path = c.path;
    if (c.before != nullptr) change.before = ToEntry(*c.before);
    if (c.after != nullptr) change.after = ToEntry(*c.after);
    change.metadata = c.metadata;
    on_change(change);
    return Status::Ok();
  });
}

Result<std::vector<PathChange>> Repository::Log(std::string_view path) {
  std::vector<std::string> problems;
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, impl_->store->ListSnapshots(&problems));
  for (const std::string& problem : problems) {
    impl_->log.Log(LogLevel::kWarning, "skipping damaged snapshot: " + problem);
  }
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(std::vector<PathVersion> versions, PathLog(impl_->store.get(), snapshots, path));
  std::vector<PathChange> out;
  out.reserve(versions.size());
  for (const PathVersion& v : versions) {
    PathChange c;
    c.snapshot = ToSnapshot(snapshots[v.snapshot]);
    c.kind = v.kind;
    c.metadata = v.metadata;
    c.entry = ToEntry(v.entry);
    c.storage = v.storage;
    c.chain_depth = v.chain_depth;
    out.push_back(std::move(c));
  }
  return out;
}

Result<ExportSummary> Repository::ExportTar(std::string_view snapshot, std::string_view path,
                                            const std::function<Status(std::string_view)>& write,
                                            const CancelToken* cancel) {
  STRATA_ASSIGN_OR_RETURN(SnapshotInfo info, impl_->store->FindSnapshot(snapshot));
  impl_->SeeNewObjects();
  STRATA_ASSIGN_OR_RETURN(TarExportStats stats,
                          strata::ExportTar(impl_->store.get(), info, path, write, cancel));
  return ExportSummary{stats.files, stats.links, stats.dirs, stats.other, stats.bytes};
}

}  // namespace strata
