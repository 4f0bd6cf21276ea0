// What changed between snapshots: the differences between two snapshots (Repository::Diff) and the history
// of one path across all of them (Repository::Log). Both are worked out from the stored trees alone, without
// reading any file content: a regular file's content is identified by its version id, which is derived from
// its content hash, and a directory whose tree object is the same in both snapshots is skipped whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "strata/browse.h"

namespace strata {

enum class ChangeKind {
  kCreated,      // only in the newer snapshot
  kDeleted,      // only in the older snapshot
  kModified,     // a regular file whose content differs (its metadata may differ too)
  kMetadata,     // same type and content, other metadata (see MetadataChange)
  kTypeChanged,  // a file became a directory, a symlink a file, ...
};

// Which metadata differs, as bits of Change::metadata. The ctime, the link count and the owner's names are
// not compared: they change without anything a restore would reproduce.
namespace metadata_change {
inline constexpr uint32_t kMode = 1;         // permission bits, setuid/setgid/sticky
inline constexpr uint32_t kOwner = 2;        // uid or gid
inline constexpr uint32_t kMtime = 4;        // to the nanosecond
inline constexpr uint32_t kXattrs = 8;       // names or values
inline constexpr uint32_t kLinkTarget = 16;  // a symlink's target
inline constexpr uint32_t kDevice = 32;      // a device's number
}  // namespace metadata_change

// One changed path of a diff. A directory that appears or disappears is reported, and then everything in
// it; a type change is reported, and then what a directory on either side holds as created or deleted.
struct Change {
  ChangeKind kind = ChangeKind::kModified;
  std::string path;             // relative to the snapshot root, '/'-separated
  std::optional<Entry> before;  // absent for kCreated
  std::optional<Entry> after;   // absent for kDeleted
  uint32_t metadata = 0;        // metadata_change bits; for kModified and kMetadata
};

struct DiffSummary {
  uint64_t created = 0;
  uint64_t deleted = 0;
  uint64_t modified = 0;
  uint64_t metadata = 0;
  uint64_t type_changed = 0;
};

// How a regular file's content is stored: in full, or as a delta against an earlier version at the end of
// a chain of chain_depth deltas.
enum class Storage { kNone, kFull, kDelta };

// One snapshot in which a path appeared, changed or disappeared (Repository::Log). A directory's entry
// changes only with its own metadata: what happens inside it is the history of the paths below.
struct PathChange {
  Snapshot snapshot;
  ChangeKind kind = ChangeKind::kModified;  // kCreated: appeared; kDeleted: disappeared
  uint32_t metadata = 0;                    // metadata_change bits, against the previous version
  Entry entry;                              // as it is in `snapshot`; for kDeleted, as it was last seen
  Storage storage = Storage::kNone;         // regular files that exist in `snapshot`
  uint32_t chain_depth = 0;                 // kDelta: deltas between this version and a full one
};

}  // namespace strata
