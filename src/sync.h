// Sync: replicates snapshots from one store into another (strata sync --to) or into a stream file
// (strata sync --to-file; src/receive.h reads it back). A snapshot goes across only if the destination
// lacks it, recognized by its identity (Manifest::Identity: a copy keeps the id of the snapshot it copies
// as its origin, or its very id when the stores share keys), and of its objects only those the
// destination lacks. The destination gets them as a backup writes: packs sealed, an index file, the
// manifest last, under its shared lock, so a killed sync leaves it consistent and a re-run resumes (orphan
// packs are taken over, objects already there are not sent again). strata-store(5), "SYNC".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "strata/progress.h"

namespace strata {

struct SyncOptions {
  std::vector<std::string> snapshots;  // in the source: id, id prefix, name or "latest"; empty: all
  // --to-file only: a snapshot of the source the receiver already holds; the stream leaves out every
  // object it reaches and, with no snapshots named, holds the snapshots made after it.
  std::string since;
  std::function<void(const std::string&)> on_note;  // stale locks ignored; may be empty
  std::function<void(const Progress&)> on_progress;
  const CancelToken* cancel = nullptr;
};

struct SyncedCopy {
  SnapshotInfo source;  // in the source store (or the stream)
  ObjectId copy;        // its id in the destination (none for a stream)
};

struct SyncResult {
  bool verbatim = false;              // the stores share keys: objects went across as stored
  std::vector<SyncedCopy> synced;     // oldest first
  std::vector<SnapshotInfo> present;  // asked for, and there already
  uint64_t objects_sent = 0;
  uint64_t objects_present = 0;  // needed, and there already
  uint64_t bytes_sent = 0;       // packs and index files written (the stream file's size for --to-file)
};

// Replicates the snapshots of `src` that `dst` lacks into `dst` (opened with its own password). A live
// exclusive lock on either store (a forget, a prune) is FailedPrecondition before anything is written.
Result<SyncResult> RunSync(Store* src, Store* dst, const SyncOptions& options);

// The stream path that means the process's standard output (sync) or standard input (receive).
inline constexpr std::string_view kStandardStream = "-";

// Writes the snapshots as a stream file at `path` (replaced if it exists), or to standard output.
Result<SyncResult> RunSyncToFile(Store* src, const std::string& path, const SyncOptions& options);

// Helpers shared with receive.
// The snapshots `refs` names among `all` (every one when empty), oldest first, each once.
Result<std::vector<SnapshotInfo>> SelectSnapshots(const Store& store, const std::vector<SnapshotInfo>& all,
                                                  const std::vector<std::string>& refs);

}  // namespace strata
