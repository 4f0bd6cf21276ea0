// Prune: removes from a store the objects no readable snapshot reaches, under the store's exclusive lock.
//
// Mark: the check's walk (src/check.h) over every snapshot, which reaches trees, version records, whole
// delta chains, signatures and payloads; any damage it finds (a manifest, index file or reachable object
// that does not read) stops the prune before anything changes, since a mark that missed something would
// delete what a snapshot needs. Sweep: PlanPrune (src/prune_plan.h) over every index entry and the
// trailers of orphan packs. Commit, each step durable before the next: copy the used objects of packs to
// repack, verifying every frame, into new sealed packs; write one index file listing every used object;
// remove the other index files; delete the old packs. strata-store(5), "Pruning", has the protocol and
// what a crash at each step leaves.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "store/store.h"
#include "strata/progress.h"
#include "strata/prune.h"

namespace strata {

struct PruneProgress {
  enum class Phase { kMarking, kRepacking, kCommitting };
  Phase phase = Phase::kMarking;
  uint64_t snapshots_done = 0;  // marking
  uint64_t snapshots_total = 0;
  uint64_t packs_done = 0;  // repacking
  uint64_t packs_total = 0;
  uint64_t bytes_done = 0;  // stored bytes copied
  uint64_t bytes_total = 0;
  std::string current;  // the snapshot being marked, the pack being repacked
};

struct PruneOptions {
  PruneRequest request;
  std::function<void(const PruneProgress&)> on_progress;  // called often: throttle in the callback
  std::function<void(const std::string&)> on_note;        // stale locks ignored, temporary packs removed
  // Checked while marking and repacking; a cancelled prune changes nothing (Cancelled).
  const CancelToken* cancel = nullptr;
};

// FailedPrecondition: another command holds the store (nothing changed), or damage found by the mark
// (named; nothing changed). Corruption: a used object that does not verify while being copied (named;
// nothing changed). Other errors are I/O; the store is then as a kill at that point leaves it.
Result<PruneResult> RunPrune(Store* store, const PruneOptions& options);

}  // namespace strata
