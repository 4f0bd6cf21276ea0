#include "store/snapshot_cache.h"

#include <algorithm>

#include "store/format.h"

namespace strata {

Result<std::vector<SnapshotInfo>> SnapshotCache::List(std::vector<std::string>* problems) {
  const std::string dir = store_->path() + "/" + std::string(format::kSnapshotsDir);
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, store_->env()->ListDir(dir));
  std::sort(names.begin(), names.end());
  std::lock_guard<std::mutex> lock(mu_);
  if (!loaded_ || names != names_) {
    // Names listed before the manifests are read: a snapshot added in between makes the next call read
    // the list again, never one miss a snapshot.
    std::vector<std::string> found;
    STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> list, store_->ListSnapshots(&found));
    list_ = std::move(list);
    problems_ = std::move(found);
    names_ = std::move(names);
    loaded_ = true;
  }
  if (problems != nullptr) *problems = problems_;
  return list_;
}

Result<SnapshotInfo> SnapshotCache::Find(std::string_view ref) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> list, List());
  return store_->FindSnapshotIn(list, ref);
}

}  // namespace strata
