#include "src/orphan_packs.h"

#include <unordered_set>

#include "store/temp_packs.h"

namespace strata {

Result<std::vector<IndexEntry>> RecoverOrphanPacks(Store* store) {
  // Unsealed packs of killed writers are garbage: those whose writer's lock is gone or stale. A sweep that
  // fails leaves them for the next one.
  (void)RemoveDeadTempPacks(store->env(), store->path());
  STRATA_ASSIGN_OR_RETURN(std::vector<PackId> packs, ListPackFiles(store->env(), store->path()));
  const std::unordered_set<std::string> covered = store->index().CoveredPacks();
  std::vector<IndexEntry> recovered;
  for (const PackId& id : packs) {
    if (covered.count(PackIdHex(id)) != 0) continue;
    auto entries = store->packs().ReadTrailer(id);
    if (!entries.ok()) continue;  // a damaged orphan is garbage for prune, never referenced
    for (const IndexEntry& e : *entries) store->index().AddLocal(e);
    recovered.insert(recovered.end(), entries->begin(), entries->end());
  }
  return recovered;
}

}  // namespace strata
