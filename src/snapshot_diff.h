// The differences between two snapshots, from their trees alone: no file content is read, and a directory
// whose tree object is the same on both sides is skipped without being loaded, so the cost follows what
// changed, not the size of the snapshots.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "store/store.h"
#include "strata/history.h"

namespace strata {

// One changed path. The entries live only for the call; `before` is null for kCreated, `after` for
// kDeleted.
struct TreeChange {
  ChangeKind kind = ChangeKind::kModified;
  const std::string& path;
  const TreeEntry* before = nullptr;
  const TreeEntry* after = nullptr;
  uint32_t metadata = 0;
};
using TreeChangeSink = std::function<Status(const TreeChange&)>;

// Hands every changed path under `path` (the root for "", "." or "/") to `sink`, parents before children
// and siblings by name. A path that exists in only one snapshot is created or deleted whole; one that exists
// in neither is NotFound. The root's own metadata is not compared. An error from `sink` stops the diff.
Result<DiffSummary> DiffSnapshots(Store* store, const SnapshotInfo& before, const SnapshotInfo& after,
                                  std::string_view path, const TreeChangeSink& sink);

}  // namespace strata
