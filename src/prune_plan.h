// PrunePlan: what a prune does with each pack, decided from the index entries alone (no pack is read).
//
// An object id may have several entries: two backups stored it, or a prune was killed after it copied the
// object. One entry per used id is kept, the one in the pack with the largest used share (a pack a killed
// prune wrote holds nothing else, so it wins over the pack the object was copied from; ties go to the
// pack with more used bytes, then to the lower pack id). A pack is then used by the entries kept in it:
// one with none is deleted, one whose unused share is above the threshold is repacked (its kept entries
// copied into new packs, then deleted), and the others stay as they are.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "store/index_entry.h"

namespace strata {

// A sealed pack and every entry that places an object in it: from index files, or from its own trailer
// when no index file names it (an orphan).
struct PackContents {
  PackId id{};
  uint64_t size = 0;  // of the pack file
  std::vector<IndexEntry> entries;
};

// The objects the snapshots reach, with the type each is reached as; entries of another type do not count.
using UsedObjects = std::unordered_map<ObjectId, format::ObjectType, ObjectIdHash>;

// The size a pack of exactly these objects would have: header, objects, trailer and footer. `sealing`: what
// sealing the trailer adds (format::kSealedFileOverhead in an encrypted store, else 0).
uint64_t PackSizeFor(uint64_t stored_bytes, uint64_t objects, uint64_t sealing);

struct PrunePlan {
  std::vector<IndexEntry> keep;   // used entries that stay where they are
  std::vector<IndexEntry> copy;   // used entries to copy into new packs (in pack, then offset order)
  std::vector<PackId> deleted;    // packs with nothing used
  std::vector<PackId> repacked;   // packs whose used entries are in `copy`
  std::vector<ObjectId> missing;  // used objects no entry places (the mark found them, so: none)
  uint64_t objects_removed = 0;   // distinct ids with entries that are not used
  uint64_t bytes_copied = 0;      // stored bytes of `copy`
  uint64_t bytes_unused = 0;      // of all packs, by PackSizeFor
  bool changes() const { return !deleted.empty() || !repacked.empty(); }
};

// `max_unused_percent`: as PruneRequest's; `sealing`: as PackSizeFor's.
PrunePlan PlanPrune(const std::vector<PackContents>& packs, const UsedObjects& used,
                    double max_unused_percent, uint64_t sealing);

}  // namespace strata
