// Temporary packs: a pack is written as STORE/tmp/<lock id>-<pack id>.pack.tmp and renamed into packs/
// once sealed. The lock id names the store lock its writer holds (lock.h), so a temporary pack whose lock
// file is gone or stale belongs to a writer that died (kill -9, a crash, a lost host) and is garbage at
// once, instead of after an hour without writes. See strata-store(5), "COMMIT PROTOCOL AND CRASH SAFETY".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/env.h"
#include "store/index_entry.h"
#include "store/lock.h"

namespace strata {

// The name under tmp/ of pack `pack` written under the lock `lock_id` (StoreLock::id()); without a lock
// id (a writer that holds no lock, as in unit tests) it is "<pack id>.pack.tmp".
std::string TempPackName(std::string_view lock_id, const PackId& pack);

struct TempPackSweep {
  std::vector<std::string> removed;  // names under tmp/
};

// Removes the temporary packs of dead writers: those whose lock file is missing or stale (StaleReason),
// and those whose name carries no lock id (written by an older strata, or by a writer without a lock) once
// untouched for `timing.stale_after`. Other files under tmp/ are left alone, as are packs that vanish
// meanwhile (sealed by their writer). A store without tmp/ has nothing to sweep.
Result<TempPackSweep> RemoveDeadTempPacks(Env* env, const std::string& store_dir,
                                          const LockTiming& timing = {});

}  // namespace strata
