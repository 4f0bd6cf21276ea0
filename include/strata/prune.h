// Pruning (Repository::Prune): removes from a store what no snapshot reaches any more (after a forget), and
// compacts packs that are mostly garbage. Under the store's exclusive lock, safe to kill at any moment: the
// protocol is in strata-store(5), "Pruning".
#pragma once

#include <cstdint>

namespace strata {

// restic's --max-unused default is 5%, borg compacts segments over 10% garbage; strata takes borg's: a
// pack that is 10% garbage costs little to keep, and copying the other 90% costs a lot of I/O.
inline constexpr double kDefaultMaxUnusedPercent = 10;

struct PruneRequest {
  bool dry_run = false;  // decide and report, change nothing, take no lock
  // A pack whose unused share (of its size, the bytes that no snapshot needs) is above this percentage is
  // repacked: the objects still in use are copied into new packs and the old pack is deleted. 0 repacks
  // every pack with anything unused, 100 none; a pack with nothing in use is deleted whatever it is.
  double max_unused_percent = kDefaultMaxUnusedPercent;
};

// With dry_run, what would happen; the bytes after are then an estimate to within a few bytes per pack.
struct PruneResult {
  uint64_t snapshots = 0;     // kept snapshots, all of whose objects were kept
  uint64_t objects_used = 0;  // distinct objects they reach
  // Distinct objects no snapshot uses that index files listed and list no more. One in a pack that stays
  // keeps its bytes there until that pack is repacked.
  uint64_t objects_removed = 0;
  uint64_t packs_before = 0;
  uint64_t packs_deleted = 0;   // nothing in use: deleted
  uint64_t packs_repacked = 0;  // over the threshold: their used objects copied, then deleted
  uint64_t packs_written = 0;   // new packs holding the copies
  uint64_t packs_after = 0;
  uint64_t bytes_copied = 0;  // stored bytes of the objects copied
  uint64_t index_files_before = 0;
  uint64_t index_files_after = 0;
  uint64_t bytes_before = 0;  // packs and index files
  uint64_t bytes_after = 0;
  uint64_t bytes_reclaimed() const { return bytes_before > bytes_after ? bytes_before - bytes_after : 0; }
};

}  // namespace strata
