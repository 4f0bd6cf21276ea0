// A snapshot, or a part of it, as a POSIX pax archive, streamed: every byte goes straight to the caller's
// sink, nothing is staged on disk. GNU tar (`tar --xattrs --xattrs-include='*' --acls -xpf`) extracts it to
// what restore makes of the same path: contents, modes, owners, ns mtimes, xattrs and ACLs (with --acls),
// symlinks, hardlinks (as links to the first path of their group), devices and fifos; sparse files become
// plain content.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "store/store.h"
#include "strata/progress.h"

namespace strata {

struct TarExportStats {
  uint64_t files = 0;  // regular files whose content is in the archive
  uint64_t links = 0;  // hard links
  uint64_t dirs = 0;
  uint64_t other = 0;  // symlinks, devices, fifos
  uint64_t bytes = 0;  // content bytes
};

// The archive of `path` in `snapshot`: for a directory, its contents (and itself as "./", which carries its
// metadata); for anything else, that entry under its own name. Every file's content is verified as it is
// streamed; damage stops the export (Corruption naming the path), as does an error from `sink` or
// `cancel`.
Result<TarExportStats> ExportTar(Store* store, const SnapshotInfo& snapshot, std::string_view path,
                                 const std::function<Status(std::string_view)>& sink,
                                 const CancelToken* cancel = nullptr);

}  // namespace strata
