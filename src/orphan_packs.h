// Orphan packs: packs sealed by a writer (a backup, a sync, a receive) that was killed before it wrote
// the index file listing them. Their objects are sound (a pack is renamed into packs/ only once durable),
// so the next writer takes them over instead of storing them again. strata-store(5), "COMMIT PROTOCOL".
#pragma once

#include <vector>

#include "store/store.h"

namespace strata {

// Deletes the unsealed temporary packs of dead writers, then makes the objects of every valid orphan pack
// findable in `store` (ObjectIndex::AddLocal) and returns their entries, which the caller's index file
// must list. Damaged orphans are skipped: nothing references them.
Result<std::vector<IndexEntry>> RecoverOrphanPacks(Store* store);

}  // namespace strata
