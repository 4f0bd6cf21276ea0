// The segments of a block-cache value (strata-store(5), BLOCK CACHE). A value's payload is kept in
// segments of kCacheSegmentSize bytes, each followed by a check of its own: a checksum in a plain store's
// cache, an AEAD tag in an encrypted store's. A random 4 KiB read of a cached frame then checks, decrypts
// and pages in one segment instead of the whole frame: in an encrypted store, opening the whole value was
// most of the cost of a cache hit. Opening 4 KiB of a sealed 128 KiB value takes 2.3 us with 4 KiB
// segments, 5.1 us with the 16 KiB ones of format 4 (bench/RESULTS-crypto.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace strata {

inline constexpr uint64_t kCacheSegmentSize = 4096;  // the page size, and the usual random read
inline constexpr uint64_t kCacheCheckSize = 16;
inline constexpr uint64_t kCacheToEnd = UINT64_MAX;  // a range that runs to the end of the payload
// The longest head before a value's segments: an encrypted store's (form, salt, payload length).
inline constexpr uint64_t kMaxCacheValueHead = 1 + 24 + 4;

// Bytes the segments of a `payload_size`-byte payload take.
uint64_t CacheSegmentsSize(uint64_t payload_size);

// Writes segment `index` (its bytes `body`): `body_out` gets as many bytes (the body, or its ciphertext),
// `check_out` kCacheCheckSize bytes.
using CacheSegmentProtect = std::function<void(uint32_t index, std::string_view body, unsigned char* body_out,
                                               unsigned char* check_out)>;
// Checks segment `index` as stored (`body`, then `check`) and writes its bytes to `out`; false if it fails.
using CacheSegmentOpen = std::function<bool(uint32_t index, std::string_view body, const unsigned char* check,
                                            unsigned char* out)>;

// Appends the segments of `payload` to `out`.
void AppendCacheSegments(std::string_view payload, const CacheSegmentProtect& protect, std::string* out);

enum class CacheRead {
  kOk,
  kOutside,  // the range is not inside the value: a miss, though the value may be sound
  kDamaged,  // the value is malformed, or a segment read fails its check
};

// Bytes [offset, offset + n) of the payload (n = kCacheToEnd: to its end) from `segments`, the segments of
// a `payload_size`-byte payload, opening only the segments the range covers.
CacheRead OpenCacheSegments(std::string_view segments, uint64_t payload_size, uint64_t offset, uint64_t n,
                            const CacheSegmentOpen& open, std::string* out);

}  // namespace strata
