// ExtentMap: where every byte of one file version lives, as runs of bytes in stored payload objects.
//
// A full version is one extent over its content object. A delta version is the previous version's map
// with each COPY replaced by the extents that cover the copied range and each LITERAL pointing into the
// version's literal stream. Composing along a chain therefore flattens it: reading any byte range of any
// version costs one binary search here and reads from payloads only, however deep the chain.
//
// Invariant: extents are sorted by offset, contiguous, each non-empty, and cover exactly [0, size()); an
// empty file has none. Sources are distinct and each is used by some extent.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/delta_ops.h"
#include "store/object_id.h"
#include "store/status.h"

namespace strata {

struct Extent {
  uint64_t offset;  // within the file version
  uint64_t length;
  uint32_t source;         // index into ExtentMap::sources()
  uint64_t source_offset;  // byte offset within that payload

  bool operator==(const Extent&) const = default;
};

class ExtentMap {
 public:
  ExtentMap() = default;  // the empty file

  static ExtentMap Full(const ObjectId& payload, uint64_t size);

  // The map of the version that `ops` (a delta against the version `base` describes) produces, with
  // LITERAL ops reading `literal_payload`. Extents that continue each other in the same source are merged.
  // Corruption if an op is empty, a COPY reaches past base.size(), or a sum overflows. Runs in
  // O(ops * log(base extents) + output extents + base sources).
  static Result<ExtentMap> Compose(const ExtentMap& base, const std::vector<DeltaOp>& ops,
                                   const ObjectId& literal_payload);

  uint64_t size() const { return size_; }
  const std::vector<ObjectId>& sources() const { return sources_; }
  const std::vector<Extent>& extents() const { return extents_; }

  // The extents overlapping [offset, offset + length), clipped to the file; the first may start before
  // `offset` and the last may end after the range. Empty if the range is empty or starts at or past
  // size(). O(log extents).
  std::span<const Extent> Lookup(uint64_t offset, uint64_t length) const;

  void Encode(std::string* dst) const;
  // Checks the whole invariant on hostile input; Corruption on any violation or trailing bytes.
  static Result<ExtentMap> Decode(std::string_view encoded);

 private:
  // Appends `length` bytes of `source` at `source_offset`, extending the last extent if it continues.
  void Append(uint32_t source, uint64_t source_offset, uint64_t length);

  uint64_t size_ = 0;
  std::vector<ObjectId> sources_;
  std::vector<Extent> extents_;
};

}  // namespace strata
