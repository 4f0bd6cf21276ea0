// Restore: rebuilds a snapshot, or a subtree of it, into a destination directory exactly: contents
// (holes kept sparse, content hash verified), modes, ns mtimes, symlinks, hardlinks, xattrs,
// fifos/devices, and owners when run as root. It never writes outside the destination: every create is
// relative to a directory fd opened with O_NOFOLLOW, so symlinks planted in the destination are never
// followed.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "store/store.h"
#include "strata/progress.h"

namespace strata {

struct RestoreOptions {
  std::string path;        // subtree relative to the snapshot root; empty = everything
  bool overwrite = false;  // allow a non-empty destination; existing entries are replaced
  // One line per file that could not be restored, and the destination path concerned.
  std::function<void(const std::string& message, const std::string& path)> on_error;
  // After every regular file (restored, linked or failed) and at the start and end; may be empty.
  std::function<void(const Progress&)> on_progress;
  // Checked before every entry: once cancelled, the restore stops (Cancelled), leaving what it wrote.
  const CancelToken* cancel = nullptr;
};

struct RestoreStats {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t other = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
};

// Fatal problems (unknown path, destination unusable) are a Status; damaged or unwritable files are
// reported through on_error, counted in errors, and the restore goes on.
Result<RestoreStats> RunRestore(Store* store, const Manifest& snapshot, const std::string& dest,
                                const RestoreOptions& options);

// Writes one file version to `out`, verifying the content hash at the end (a mismatch is Corruption), and
// its size against `listed_size` (the tree entry's) before anything is written.
Status WriteVersionTo(Store* store, const ObjectId& version, uint64_t listed_size, std::FILE* out,
                      const std::string& what);

}  // namespace strata
