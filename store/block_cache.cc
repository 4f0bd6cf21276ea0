#include "store/block_cache.h"

#include "store/coding.h"

namespace strata {
namespace {

// Key type bytes; part of the cache format (strata-store(5), "BLOCK CACHE").
constexpr uint8_t kFrameKeyType = 1;
constexpr uint8_t kExtentMapKeyType = 2;

}  // namespace

std::string BlockCacheStats::ToString() const {
  return "hits=" + std::to_string(hits) + " misses=" + std::to_string(misses) +
         " damaged=" + std::to_string(damaged) + " stored=" + std::to_string(stored) +
         " dropped=" + std::to_string(dropped) + " evicted=" + std::to_string(evicted) +
         " used_bytes=" + std::to_string(used_bytes) + " capacity_bytes=" + std::to_string(capacity_bytes);
}

std::string BlockCache::FrameKey(const ObjectId& object, uint64_t frame) {
  std::string key;
  PutFixed8(&key, kFrameKeyType);
  key.append(object.View());
  PutFixed64(&key, frame);
  return key;
}

std::string BlockCache::ExtentMapKey(const ObjectId& version) {
  std::string key;
  PutFixed8(&key, kExtentMapKeyType);
  key.append(version.View());
  return key;
}

}  // namespace strata
