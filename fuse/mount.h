// `strata mount`: serves a store through FUSE until unmounted (SIGTERM/SIGINT unmount cleanly too).
#pragma once

#include <cstdint>
#include <string>

#include "store/lmdb_block_cache.h"
#include "store/status.h"
#include "store/store.h"

namespace strata {

struct MountOptions {
  std::string store;
  std::string mountpoint;
  bool foreground = false;
  bool allow_other = false;
  std::string log_file;  // empty: stderr in the foreground, nowhere once daemonized
  bool cache = true;
  std::string cache_dir;  // empty: $XDG_CACHE_HOME/strata/<store uuid> (~/.cache when unset)
  uint64_t cache_size = kDefaultBlockCacheBytes;
  PasswordSource password;  // asked once, before daemonizing, if the store is encrypted
};

// The mount root's xattr holding the block cache's counters (BlockCacheStats::ToString).
inline constexpr const char* kCacheStatsXattr = "user.strata.cache";

// An encrypted store is served without the block cache: its values are plaintext (strata-store(5), BLOCK
// CACHE); only the in-memory caches are used.
//
// Checks the store and the mount point, mounts, daemonizes (unless foreground) and serves. Returns once
// unmounted; a problem found before mounting is an error naming the store or the mount point. When not
// in the foreground, the calling process returns only after the mount is ready and the daemon has
// detached.
Status RunMount(const MountOptions& options);

// Unmounts a strata mount point (fusermount3 -u, or umount2 as root).
Status Unmount(const std::string& mountpoint);

}  // namespace strata
