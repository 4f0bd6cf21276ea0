// Snapshot manifests (STORE/snapshots/<id>.snap): written last, in one atomic rename, after every pack
// and index file the snapshot needs is durable. The file's checksum is the snapshot id and its name, so a
// renamed, truncated or edited manifest is detected. See strata-store(5), "Manifests".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/object_id.h"
#include "store/status.h"
#include "store/tree.h"

namespace strata {

struct SnapshotStats {
  uint64_t files = 0;  // regular files in the snapshot
  uint64_t files_new = 0;
  uint64_t files_changed = 0;
  uint64_t files_unchanged = 0;
  uint64_t dirs = 0;
  uint64_t other = 0;        // symlinks, fifos, devices
  uint64_t bytes = 0;        // logical size of all regular files
  uint64_t bytes_read = 0;   // content bytes the backup read from the sources
  uint64_t bytes_added = 0;  // bytes the backup added to the store
  uint64_t errors = 0;       // entries that could not be read
};

struct Manifest {
  ObjectId id;  // set by Encode/Decode: BLAKE2b-256 of the encoded file, keyed in encrypted stores
  int64_t time_ns = 0;
  std::string host;
  std::vector<std::string> paths;
  std::string label;
  ObjectId parent;            // zero when the backup had no parent
  bool multi_source = false;  // root holds one entry per source (named by basename)
  TreeEntry root;             // metadata of the snapshot's root directory; root.ref is the root tree
  SnapshotStats stats;
  std::vector<std::string> warnings;
  // Set on a snapshot copied from another store by strata sync: the id of the snapshot it copies, in the
  // store where that backup was made (copies of copies keep the first origin). Zero for a backup's own
  // snapshot. A manifest with an origin is written as version 2.
  ObjectId origin;

  // The snapshot this one stands for across stores: its origin, or its own id if it has none. Two
  // snapshots of any stores with the same identity are copies of one backup.
  const ObjectId& Identity() const { return origin.IsZero() ? id : origin; }

  // `id_key`: empty in a plain store, the object-id subkey in an encrypted one (StoreCipher::id_key).
  std::string Encode(std::string_view id_key = {});  // also sets id
  static Result<Manifest> Decode(std::string_view bytes, const std::string& what,
                                 std::string_view id_key = {});
};

}  // namespace strata
