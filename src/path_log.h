// The history of one path: the snapshots in which it appeared, changed (content or metadata) or
// disappeared, and how each of its file versions is stored. Worked out from the trees and version records
// alone; no content is read.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "strata/history.h"

namespace strata {

struct PathVersion {
  size_t snapshot = 0;                      // index into the snapshots given to PathLog
  ChangeKind kind = ChangeKind::kModified;  // kCreated: appeared; kDeleted: disappeared
  uint32_t metadata = 0;                    // metadata_change bits against the previous version
  TreeEntry entry;                          // for kDeleted, the entry as last seen
  Storage storage = Storage::kNone;         // regular files that exist in the snapshot
  uint32_t chain_depth = 0;
};

// `snapshots` oldest first (Store::ListSnapshots). A path found in none of them is NotFound.
Result<std::vector<PathVersion>> PathLog(Store* store, const std::vector<SnapshotInfo>& snapshots,
                                         std::string_view path);

}  // namespace strata
