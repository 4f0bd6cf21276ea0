// Forget: removes the manifests of the snapshots named, or of those a retention policy does not keep,
// under the store's exclusive lock. Nothing else in the store changes: the objects a forgotten snapshot
// alone used stay in their packs until a prune. strata-store(5), "Forgetting a snapshot", has the protocol.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/store.h"
#include "strata/forget.h"

namespace strata {

struct ForgetOptions {
  ForgetRequest request;
  std::function<void(const std::string&)> on_note;     // stale locks ignored; may be empty
  std::function<void(const std::string&)> on_warning;  // damaged manifests left out; may be empty
};

struct KeptSnapshotInfo {
  SnapshotInfo snapshot;
  uint32_t rules = 0;  // keep_rule bits; 0 when snapshots were named and this one was not
};

// Both lists oldest first, with the names the snapshots had before the forget.
struct ForgetPlan {
  std::vector<KeptSnapshotInfo> kept;
  std::vector<SnapshotInfo> forgotten;
};

// Naming snapshots and giving a policy both, or neither, is InvalidArgument. The request is decided in
// full before anything is removed: an unknown snapshot (NotFound) or a policy that keeps none of the
// snapshots without `force` (FailedPrecondition) removes nothing, and so does a live lock of another
// command (FailedPrecondition). A dry run takes no lock and removes nothing.
Result<ForgetPlan> RunForget(Store* store, const ForgetOptions& options);

}  // namespace strata
