#include "src/entry_change.h"

namespace strata {

uint32_t MetadataDifferences(const TreeEntry& before, const TreeEntry& after) {
  namespace mc = metadata_change;
  uint32_t bits = 0;
  if (before.mode != after.mode) bits |= mc::kMode;
  if (before.uid != after.uid || before.gid != after.gid) bits |= mc::kOwner;
  if (before.mtime_ns != after.mtime_ns) bits |= mc::kMtime;
  if (before.xattrs != after.xattrs) bits |= mc::kXattrs;
  if (before.symlink_target != after.symlink_target) bits |= mc::kLinkTarget;
  const bool device = before.type == EntryType::kCharDevice || before.type == EntryType::kBlockDevice;
  if (device && before.rdev != after.rdev) bits |= mc::kDevice;
  return bits;
}

std::optional<EntryChange> CompareEntries(const TreeEntry& before, const TreeEntry& after) {
  if (before.type != after.type) return EntryChange{ChangeKind::kTypeChanged, 0};
  const uint32_t bits = MetadataDifferences(before, after);
  if (before.type == EntryType::kRegular && before.ref != after.ref) {
    return EntryChange{ChangeKind::kModified, bits};
  }
  if (bits != 0) return EntryChange{ChangeKind::kMetadata, bits};
  return std::nullopt;
}

}  // namespace strata
