// Receive: reads a sync stream (src/sync_stream.h) into a store that shares the keys of the store that wrote
// it. The whole stream is verified first, so a truncated, damaged or foreign stream, or one made for other
// keys, is refused before anything is written; an incremental stream (sync --to-file --since) is refused
// unless the store holds the snapshot it builds on. Objects then go in as a backup writes them (packs,
// an index file, each manifest last, under the store's shared lock), skipping those already there and
// snapshots already there: receiving a stream twice changes nothing the second time.
#pragma once

#include <string>

#include "src/sync.h"

namespace strata {

Result<SyncResult> RunReceive(Store* dst, const std::string& path, const SyncOptions& options);

}  // namespace strata
