// Coalesce: rewrites delta chains under the store's exclusive lock, without touching trees or manifests.
// A version record's id depends only on its content, so a rewritten version is a second record under the
// same id: a FULL one where a chain must now start (its content rebuilt through the old chain and checked
// against its hash), or a copy of a delta record with its new depth above such a cut. Readers take the
// shallowest record of a version; a prune drops the others. Everything written is read back and verified
// before the one index file that makes it visible is committed, so a crash leaves only unreferenced packs.
// strata-store(5), "Coalescing", has the protocol.
#pragma once

#include <functional>
#include <string>

#include "store/store.h"
#include "strata/coalesce.h"
#include "strata/progress.h"

namespace strata {

struct CoalesceOptions {
  CoalesceRequest request;
  std::function<void(const std::string&)> on_note;     // stale locks ignored; may be empty
  std::function<void(const std::string&)> on_warning;  // damaged manifests left out; may be empty
  std::function<void(const Progress&)> on_progress;    // after every rewritten version; may be empty
  const CancelToken* cancel = nullptr;                 // checked before every rewritten version
};

// Neither `before` nor `max_chain` is InvalidArgument; an unknown snapshot NotFound; another command
// holding the store FailedPrecondition: none of them writes anything. Versions that turn out damaged are
// listed in the result (the run still succeeds for the others).
Result<CoalesceResult> RunCoalesce(Store* store, const CoalesceOptions& options);

}  // namespace strata
