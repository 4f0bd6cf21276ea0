// How one entry differs from another version of itself: the comparison diff and log share, from the tree
// entries alone (a regular file's version id stands for its content).
#pragma once

#include <cstdint>
#include <optional>

#include "store/tree.h"
#include "strata/history.h"

namespace strata {

struct EntryChange {
  ChangeKind kind = ChangeKind::kModified;  // kModified, kMetadata or kTypeChanged
  uint32_t metadata = 0;                    // metadata_change bits
};

// metadata_change bits of what differs between two entries of the same type.
uint32_t MetadataDifferences(const TreeEntry& before, const TreeEntry& after);

// None when nothing that is compared differs. A directory's own tree id is not compared: what differs
// inside it belongs to the paths below.
std::optional<EntryChange> CompareEntries(const TreeEntry& before, const TreeEntry& after);

}  // namespace strata
