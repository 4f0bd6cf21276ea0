// The public API's plain values made from the store's records, and its options mapped onto the store's.
#pragma once

#include "src/check.h"
#include "store/password_kdf.h"
#include "store/store.h"
#include "strata/browse.h"
#include "strata/jobs.h"
#include "strata/repository.h"

namespace strata {

Snapshot ToSnapshot(const SnapshotInfo& info);
Entry ToEntry(const TreeEntry& entry);
DamagedObject ToDamagedObject(const CheckProblem& problem);
KdfStrength ToKdfStrength(KeyStrength strength);

}  // namespace strata
