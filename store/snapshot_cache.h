// SnapshotCache: a copy of a store's snapshot list, for a Repository or a mount. Reading it means reading
// (and in an encrypted store, opening) every manifest, which browsing calls (ListDir, Stat, OpenFile) would
// otherwise do for each call. Manifests never change once written (their name is their id), so the list is
// read again only when the names in the snapshot directory change: a backup (this Repository's, or anyone
// else's) adds one, a removal takes one away. Listing the directory costs one readdir.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace strata {

class SnapshotCache {
 public:
  explicit SnapshotCache(Store* store) : store_(store) {}

  // The snapshots, oldest first; `problems` gets the damaged manifests left out (each time, so that
  // every listing can report them).
  Result<std::vector<SnapshotInfo>> List(std::vector<std::string>* problems = nullptr);
  // The snapshot `ref` names (Store::FindSnapshot's rules).
  Result<SnapshotInfo> Find(std::string_view ref);

 private:
  Store* store_;
  std::mutex mu_;
  bool loaded_ = false;                // guarded by mu_
  std::vector<std::string> names_;     // guarded by mu_: the directory's names the list was read for
  std::vector<SnapshotInfo> list_;     // guarded by mu_
  std::vector<std::string> problems_;  // guarded by mu_
};

}  // namespace strata
