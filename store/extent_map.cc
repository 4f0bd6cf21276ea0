#include "store/extent_map.h"

#include <algorithm>

#include "store/coding.h"

namespace strata {
namespace {

constexpr uint32_t kUnmapped = UINT32_MAX;

// The smallest encoded extent: three one-byte varints.
constexpr size_t kMinEncodedExtent = 3;

// Position of the extent containing `offset`; `extents` must cover it.
std::vector<Extent>::const_iterator Containing(const std::vector<Extent>& extents, uint64_t offset) {
  auto after = std::upper_bound(extents.begin(), extents.end(), offset,
                                [](uint64_t off, const Extent& e) { return off < e.offset; });
  return after - 1;
}

}  // namespace

ExtentMap ExtentMap::Full(const ObjectId& payload, uint64_t size) {
  ExtentMap map;
  if (size > 0) {
    map.sources_.push_back(payload);
    map.Append(0, 0, size);
  }
  return map;
}

void ExtentMap::Append(uint32_t source, uint64_t source_offset, uint64_t length) {
  if (!extents_.empty()) {
    Extent& last = extents_.back();
    if (last.source == source && last.source_offset + last.length == source_offset) {
      last.length += length;
      size_ += length;
      return;
    }
  }
  extents_.push_back({size_, length, source, source_offset});
  size_ += length;
}

Result<ExtentMap> ExtentMap::Compose(const ExtentMap& base, const std::vector<DeltaOp>& ops,
                                     const ObjectId& literal_payload) {
  ExtentMap out;
  // Base source index -> output source index, assigned on first use so unused sources are dropped.
  std::vector<uint32_t> remap(base.sources_.size(), kUnmapped);
  auto map_source = [&](size_t base_index) {
    if (remap[base_index] == kUnmapped) {
      remap[base_index] = static_cast<uint32_t>(out.sources_.size());
      out.sources_.push_back(base.sources_[base_index]);
    }
    return remap[base_index];
  };
  uint32_t literal_source = kUnmapped;

  for (size_t i = 0; i < ops.size(); i++) {
    const DeltaOp& op = ops[i];
    auto error = [&](const std::string& what) {
      return Status::Corruption("composing extent map: op " + std::to_string(i) + ": " + what);
    };
    if (op.length == 0) return error("zero length");
    if (op.length > UINT64_MAX - out.size_) return error("file size overflows");
    if (op.kind == DeltaOp::Kind::kLiteral) {
      if (op.src_offset > UINT64_MAX - op.length) return error("literal range overflows");
      if (literal_source == kUnmapped) {
        // Base sources are distinct, so the literal payload is the only possible duplicate: an identical
        // literal stream stored earlier has the same id. It then shares that source.
        auto same = std::find(base.sources_.begin(), base.sources_.end(), literal_payload);
        if (same != base.sources_.end()) {
          literal_source = map_source(same - base.sources_.begin());
        } else {
          literal_source = static_cast<uint32_t>(out.sources_.size());
          out.sources_.push_back(literal_payload);
        }
      }
      out.Append(literal_source, op.src_offset, op.length);
      continue;
    }
    if (op.src_offset > base.size_ || op.length > base.size_ - op.src_offset) {
      return error("COPY [" + std::to_string(op.src_offset) + ", +" + std::to_string(op.length) +
                   ") reaches past the " + std::to_string(base.size_) + "-byte base");
    }
    uint64_t pos = op.src_offset;
    uint64_t left = op.length;
    for (auto it = Containing(base.extents_, pos); left > 0; ++it) {
      uint64_t skip = pos - it->offset;
      uint64_t take = std::min(it->length - skip, left);
      out.Append(map_source(it->source), it->source_offset + skip, take);
      pos += take;
      left -= take;
    }
  }
  return out;
}

std::span<const Extent> ExtentMap::Lookup(uint64_t offset, uint64_t length) const {
  if (length == 0 || offset >= size_) return {};
  uint64_t end = length > size_ - offset ? size_ : offset + length;
  auto first = Containing(extents_, offset);
  auto last = std::lower_bound(first, extents_.end(), end,
                               [](const Extent& e, uint64_t off) { return e.offset < off; });
  return {first, last};
}

// size, source count, the raw source ids, extent count, then (length, source, source_offset) per extent;
// offsets are implied by contiguity.
void ExtentMap::Encode(std::string* dst) const {
  PutVarint64(dst, size_);
  PutVarint64(dst, sources_.size());
  for (const ObjectId& id : sources_) dst->append(id.View());
  PutVarint64(dst, extents_.size());
  for (const Extent& e : extents_) {
    PutVarint64(dst, e.length);
    PutVarint64(dst, e.source);
    PutVarint64(dst, e.source_offset);
  }
}

Result<ExtentMap> ExtentMap::Decode(std::string_view encoded) {
  auto error = [](const std::string& what) { return Status::Corruption("extent map: " + what); };
  Decoder in(encoded);
  uint64_t size;
  uint64_t source_count;
  if (!in.GetVarint64(&size) || !in.GetVarint64(&source_count)) return error("truncated header");
  // Counts are checked against the bytes left before anything is allocated.
  if (source_count > in.remaining() / ObjectId::kSize) return error("source count exceeds the input");
  ExtentMap map;
  map.sources_.reserve(source_count);
  for (uint64_t i = 0; i < source_count; i++) {
    std::string_view raw;
    in.GetBytes(ObjectId::kSize, &raw);  // cannot fail: the count was checked against the input
    map.sources_.push_back(ObjectId::FromBytes(raw));
  }
  std::vector<ObjectId> sorted = map.sources_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return error("duplicate source");

  uint64_t extent_count;
  if (!in.GetVarint64(&extent_count)) return error("truncated extent count");
  if (extent_count > in.remaining() / kMinEncodedExtent) return error("extent count exceeds the input");
  map.extents_.reserve(extent_count);
  std::vector<bool> used(source_count, false);
  for (uint64_t i = 0; i < extent_count; i++) {
    Extent e{map.size_, 0, 0, 0};
    if (!in.GetVarint64(&e.length) || !in.GetVarint32(&e.source) || !in.GetVarint64(&e.source_offset)) {
      return error("extent " + std::to_string(i) + " truncated");
    }
    if (e.length == 0) return error("extent " + std::to_string(i) + " is empty");
    if (e.source >= source_count) return error("extent " + std::to_string(i) + " names a missing source");
    if (e.length > size - map.size_) return error("extents exceed the file size " + std::to_string(size));
    if (e.source_offset > UINT64_MAX - e.length) return error("extent " + std::to_string(i) + " overflows");
    used[e.source] = true;
    map.extents_.push_back(e);
    map.size_ += e.length;
  }
  if (!in.done()) return error("trailing bytes");
  if (map.size_ != size) {
    return error("extents cover " + std::to_string(map.size_) + " of " + std::to_string(size) + " bytes");
  }
  if (std::find(used.begin(), used.end(), false) != used.end()) return error("unused source");
  return map;
}

}  // namespace strata
