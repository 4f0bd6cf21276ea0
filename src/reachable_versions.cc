#include "src/reachable_versions.h"

namespace strata {

Result<VersionSet> ReachableVersions(Store* store, const std::vector<SnapshotInfo>& snapshots) {
  VersionSet versions;
  std::unordered_set<ObjectId, ObjectIdHash> trees_seen;
  for (const SnapshotInfo& snapshot : snapshots) {
    const TreeEntry& root = snapshot.manifest.root;
    if (root.type == EntryType::kRegular) versions.insert(root.ref);
    if (root.type != EntryType::kDirectory) continue;
    std::vector<ObjectId> pending;
    if (trees_seen.insert(root.ref).second) pending.push_back(root.ref);
    while (!pending.empty()) {
      const ObjectId id = pending.back();
      pending.pop_back();
      auto tree = store->GetTree(id);
      if (!tree.ok()) return tree.status().WithContext("snapshot " + snapshot.name);
      for (const TreeEntry& e : (*tree)->entries) {
        if (e.type == EntryType::kRegular) {
          versions.insert(e.ref);
        } else if (e.type == EntryType::kDirectory && trees_seen.insert(e.ref).second) {
          pending.push_back(e.ref);
        }
      }
    }
  }
  return versions;
}

}  // namespace strata
