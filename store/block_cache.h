// BlockCache: an optional, persistent second level below Store's in-memory caches, holding decoded frames
// and composed extent maps so that a remount (or a second process) does not decode and compose them again.
//
// Keys are content ids (an object id and frame index, or a version id), so an entry is valid in every
// snapshot and never needs invalidating. A cache is only a hint: Get may miss for any reason, Put may drop
// the value, and the caller validates what it gets back exactly as it validates bytes read from disk.
//
// Values cross this interface as plaintext. When stores become encrypted, a store with a key will wrap its
// cache in a decorator BlockCache that seals values on Put and opens them on Get, so the backing cache
// (and its file) never sees content; nothing below this interface needs to change for that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/cache_value.h"
#include "store/object_id.h"

namespace strata {

struct BlockCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t damaged = 0;  // values that failed verification (also counted as misses), deleted
  uint64_t stored = 0;   // values written to the cache
  uint64_t dropped = 0;  // puts dropped because the write queue was full
  uint64_t evicted = 0;
  uint64_t used_bytes = 0;  // estimated bytes held, including per-entry overhead
  uint64_t capacity_bytes = 0;

  // "hits=1 misses=2 ..." : the one printed form, for logs and the mount's xattr.
  std::string ToString() const;
};

class BlockCache {
 public:
  virtual ~BlockCache() = default;

  // A verified copy of bytes [offset, offset + n) of the value stored under `key` (n = kCacheToEnd: to its
  // end), or nothing, also when the value is shorter. Only the part asked for is verified, so a part costs
  // less than the whole value. Safe from any number of threads.
  virtual std::optional<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t n) = 0;
  std::optional<std::string> Get(std::string_view key) { return GetRange(key, 0, kCacheToEnd); }
  // Stores `value` under `key`, possibly later and possibly not at all; never blocks on the cache's
  // writer. Safe from any number of threads.
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual BlockCacheStats Stats() const = 0;

  // Keys: a type byte, then the content id.
  static std::string FrameKey(const ObjectId& object, uint64_t frame);
  static std::string ExtentMapKey(const ObjectId& version);
};

}  // namespace strata
