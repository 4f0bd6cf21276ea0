// The file versions a set of snapshots reaches: the version of every regular file in their trees (not the
// delta bases below them). Coalesce decides from it which chains stay relevant; a prune can keep by it.
#pragma once

#include <unordered_set>
#include <vector>

#include "store/store.h"

namespace strata {

using VersionSet = std::unordered_set<ObjectId, ObjectIdHash>;

// Each tree is read once however many snapshots share it, and the walk keeps its own stack, so neither
// deep directories nor a crafted tree that contains itself can exhaust the thread's. A tree that cannot
// be read is an error naming it and its snapshot.
Result<VersionSet> ReachableVersions(Store* store, const std::vector<SnapshotInfo>& snapshots);

}  // namespace strata
