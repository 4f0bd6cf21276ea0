#include "store/cache_value.h"

#include <algorithm>
#include <cstring>

namespace strata {
namespace {

uint64_t BodySize(uint64_t payload_size, uint64_t index) {
  return std::min(kCacheSegmentSize, payload_size - index * kCacheSegmentSize);
}

}  // namespace

uint64_t CacheSegmentsSize(uint64_t payload_size) {
  const uint64_t segments = (payload_size + kCacheSegmentSize - 1) / kCacheSegmentSize;
  return payload_size + segments * kCacheCheckSize;
}

void AppendCacheSegments(std::string_view payload, const CacheSegmentProtect& protect, std::string* out) {
  size_t at = out->size();
  out->resize(at + CacheSegmentsSize(payload.size()));
  auto* base = reinterpret_cast<unsigned char*>(out->data());
  for (uint64_t i = 0; i * kCacheSegmentSize < payload.size(); i++) {
    const uint64_t n = BodySize(payload.size(), i);
    protect(static_cast<uint32_t>(i), payload.substr(i * kCacheSegmentSize, n), base + at, base + at + n);
    at += n + kCacheCheckSize;
  }
}

CacheRead OpenCacheSegments(std::string_view segments, uint64_t payload_size, uint64_t offset, uint64_t n,
                            const CacheSegmentOpen& open, std::string* out) {
  if (segments.size() != CacheSegmentsSize(payload_size)) return CacheRead::kDamaged;
  if (offset > payload_size) return CacheRead::kOutside;
  if (n == kCacheToEnd) n = payload_size - offset;
  if (n > payload_size - offset) return CacheRead::kOutside;
  out->clear();
  if (n == 0) return CacheRead::kOk;
  const uint64_t first = offset / kCacheSegmentSize;
  const uint64_t last = (offset + n - 1) / kCacheSegmentSize;
  out->resize(std::min(payload_size, (last + 1) * kCacheSegmentSize) - first * kCacheSegmentSize);
  auto* dst = reinterpret_cast<unsigned char*>(out->data());
  for (uint64_t i = first; i <= last; i++) {
    const uint64_t body = BodySize(payload_size, i);
    const std::string_view stored = segments.substr(i * (kCacheSegmentSize + kCacheCheckSize), body);
    const auto* check = reinterpret_cast<const unsigned char*>(stored.data()) + body;
    if (!open(static_cast<uint32_t>(i), stored, check, dst)) return CacheRead::kDamaged;
    dst += body;
  }
  out->erase(0, offset - first * kCacheSegmentSize);
  out->resize(n);
  return CacheRead::kOk;
}

}  // namespace strata
