// Replicating snapshots between stores (Repository::Sync, SyncToFile, Receive).
//
// A snapshot goes across only if the destination lacks it: a copy remembers the snapshot it copies (its
// origin, Snapshot::origin_id), or is that very snapshot, byte for byte, when the two stores share their
// keys (the destination made with InitOptions::from). Of its objects only those the destination lacks are
// sent, so syncing again sends nothing and syncing after a backup sends about what the backup added.
//
// Streams through a pipe: the stream path "-" means the process's standard output to SyncToFile and its
// standard input to Receive, in the library as on the command line, so `strata sync --to-file - | ssh
// host strata receive --from-file -` needs nothing of its own. The library writes nothing else there,
// and a reader that goes away is an error (kIOError, "broken pipe") provided the caller ignores SIGPIPE,
// which would otherwise end the process. Receive reads standard input to its end into an anonymous file
// in the store's tmp/ directory (it verifies the whole stream before writing anything, and a pipe reads
// once); a file system without O_TMPFILE there is kNotSupported. A writer that dies mid-stream leaves a
// stream without its end record: refused as truncated, nothing written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/browse.h"

namespace strata {

struct SyncRequest {
  // Snapshots of the source (id, id prefix, name or "latest"); empty: every snapshot.
  std::vector<std::string> snapshots;
  // SyncToFile only: a snapshot of the source that the receiving store already holds. The stream leaves
  // out every object that snapshot reaches (Receive refuses it where that snapshot is missing) and, when no
  // snapshots are named, holds the snapshots made after it.
  std::string since;
};

struct SyncedSnapshot {
  Snapshot source;      // as the source store (or the stream) has it
  std::string copy_id;  // its id where it was copied; equal to source.id when the stores share keys
};

struct SyncSummary {
  // The stores share keys (or both are plain): objects went across as stored, without re-encoding.
  bool verbatim = false;
  std::vector<SyncedSnapshot> synced;  // copied now, oldest first
  std::vector<Snapshot> present;       // asked for, and in the destination already
  uint64_t objects_sent = 0;
  uint64_t objects_present = 0;  // needed by a synced snapshot, and in the destination already
  // Bytes written: the destination's new packs and index files, or the stream file.
  uint64_t bytes_sent = 0;
};

}  // namespace strata
