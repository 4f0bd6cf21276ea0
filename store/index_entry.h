// IndexEntry: where one object lives (pack, offset, length) and how to decode it. Fixed 96 bytes on disk,
// identical in pack trailers and index files, so index files can be binary-searched in place.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/format.h"
#include "store/frame_codec.h"
#include "store/object_id.h"
#include "store/status.h"

namespace strata {

using PackId = std::array<uint8_t, format::kPackIdSize>;

std::string PackIdHex(const PackId& id);
bool ParsePackId(std::string_view hex, PackId* id);

struct IndexEntry {
  ObjectId id;
  format::ObjectType type = format::ObjectType::kData;
  uint8_t frame_log2 = 17;
  Salt salt{};
  PackId pack{};
  uint64_t offset = 0;      // of the object's first frame in the pack
  uint64_t stored_len = 0;  // frames plus frame table
  uint64_t raw_size = 0;    // decoded size of the whole object

  uint64_t FrameSize() const { return uint64_t{1} << frame_log2; }
  uint64_t FrameCount() const { return (raw_size + FrameSize() - 1) >> frame_log2; }
  // Raw bytes of frame `frame` (< FrameCount()): the last one may be short.
  uint64_t FrameRawSize(uint64_t frame) const {
    return std::min(FrameSize(), raw_size - (frame << frame_log2));
  }

  void EncodeTo(std::string* out) const;
  // Validates every field that can be checked without the pack: known type, frame size in range,
  // reserved bytes zero, lengths consistent with the frame count and `frame_overhead` (FrameCodec::overhead).
  static Result<IndexEntry> Decode(std::string_view bytes, const std::string& what,
                                   size_t frame_overhead = format::kFrameOverhead);
};

// Reads `n` stored bytes of an object at `at` (relative to its first byte) into `out`, wherever they are:
// a pack, a sync stream.
using StoredReader = std::function<Status(uint64_t at, size_t n, std::string* out)>;

}  // namespace strata
