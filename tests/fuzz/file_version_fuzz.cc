// Fuzzes the delta interpreter: a chain of file version records (each varint-length-prefixed, oldest
// first, as GetExtentMap walks them back up) goes through FileVersion::Decode, DecodeOps and
// ExtentMap::Compose. Every composed map must keep the ExtentMap invariant, survive Encode/Decode, and
// describe exactly the bytes that applying the ops naively to the previous version's bytes gives. The
// whole input is also given to ExtentMap::Decode, which reads hostile maps.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/coding.h"
#include "store/delta_ops.h"
#include "store/extent_map.h"
#include "store/file_version.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using strata::DeltaOp;
using strata::ExtentMap;
using strata::FileVersion;
using strata::ObjectId;

constexpr size_t kMaxChain = 64;
// Versions up to this size are also rebuilt byte by byte, the independent oracle for the extent maps.
constexpr uint64_t kMaxOracleSize = 1 << 16;

// Stand-in content of payload objects: any function of (object, offset) that differs between objects.
char PayloadByte(const ObjectId& id, uint64_t offset) {
  return static_cast<char>(id.bytes[offset % ObjectId::kSize] + 7 * (offset / ObjectId::kSize));
}

void CheckInvariant(const ExtentMap& map) {
  uint64_t pos = 0;
  std::vector<bool> used(map.sources().size(), false);
  for (const strata::Extent& e : map.extents()) {
    STRATA_FUZZ_CHECK(e.offset == pos && e.length > 0);
    STRATA_FUZZ_CHECK(e.source < map.sources().size());
    STRATA_FUZZ_CHECK(e.source_offset <= UINT64_MAX - e.length);
    used[e.source] = true;
    pos += e.length;
  }
  STRATA_FUZZ_CHECK(pos == map.size());
  STRATA_FUZZ_CHECK(std::find(used.begin(), used.end(), false) == used.end());
  std::vector<ObjectId> sorted = map.sources();
  std::sort(sorted.begin(), sorted.end());
  STRATA_FUZZ_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  for (uint64_t offset : {uint64_t{0}, map.size() / 2, map.size() - 1}) {
    if (offset >= map.size()) continue;
    auto hit = map.Lookup(offset, 1);
    STRATA_FUZZ_CHECK(hit.size() == 1 && hit[0].offset <= offset && offset - hit[0].offset < hit[0].length);
  }
  std::string encoded;
  map.Encode(&encoded);
  auto decoded = ExtentMap::Decode(encoded);
  STRATA_FUZZ_CHECK(decoded.ok());
  STRATA_FUZZ_CHECK(decoded->size() == map.size() && decoded->sources() == map.sources() &&
                    decoded->extents() == map.extents());
}

// The bytes `map` says the version holds equal `content`.
void CheckAgainstOracle(const ExtentMap& map, const std::string& content) {
  STRATA_FUZZ_CHECK(map.size() == content.size());
  for (const strata::Extent& e : map.extents()) {
    const ObjectId& source = map.sources()[e.source];
    for (uint64_t k = 0; k < e.length; k++) {
      STRATA_FUZZ_CHECK(PayloadByte(source, e.source_offset + k) == content[e.offset + k]);
    }
  }
}

void CheckOps(const std::vector<DeltaOp>& ops, const FileVersion& v, uint64_t base_size) {
  uint64_t produced = 0;
  uint64_t literal = 0;
  for (const DeltaOp& op : ops) {
    STRATA_FUZZ_CHECK(op.length > 0);
    if (op.kind == DeltaOp::Kind::kLiteral) {
      STRATA_FUZZ_CHECK(op.src_offset == literal);
      literal += op.length;
    } else {
      STRATA_FUZZ_CHECK(op.src_offset <= base_size && op.length <= base_size - op.src_offset);
    }
    produced += op.length;
  }
  STRATA_FUZZ_CHECK(produced == v.size && literal == v.literal_size);
  std::string encoded;
  strata::EncodeOps(ops, &encoded);
  auto again = strata::DecodeOps(encoded, v.size, base_size, v.literal_size);
  STRATA_FUZZ_CHECK(again.ok() && *again == ops);
}

// Applies `ops` to `base` the obvious way.
std::string ApplyOps(const std::vector<DeltaOp>& ops, const std::string& base, const ObjectId& literal) {
  std::string out;
  for (const DeltaOp& op : ops) {
    for (uint64_t k = 0; k < op.length; k++) {
      out +=
          op.kind == DeltaOp::Kind::kCopy ? base[op.src_offset + k] : PayloadByte(literal, op.src_offset + k);
    }
  }
  return out;
}

void CheckRecord(const FileVersion& v) {
  const std::string encoded = v.Encode();
  auto again = FileVersion::Decode(encoded, "re-encoded version");
  STRATA_FUZZ_CHECK(again.ok());
  STRATA_FUZZ_CHECK(again->Encode() == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto map = ExtentMap::Decode(bytes); map.ok()) CheckInvariant(*map);

  strata::Decoder in(bytes);
  ExtentMap map;
  std::optional<std::string> content;  // the bytes of the latest version, while small enough
  for (size_t i = 0; i < kMaxChain && in.remaining() > 0; i++) {
    std::string_view record;
    if (!in.GetLengthPrefixed(&record)) break;
    auto v = FileVersion::Decode(record, "fuzz version");
    if (!v.ok()) {
      STRATA_FUZZ_CHECK(v.status().message().starts_with("fuzz version: "));
      break;
    }
    CheckRecord(*v);
    if (v->kind == FileVersion::Kind::kFull) {
      map = ExtentMap::Full(v->payload, v->size);
      content.reset();
      if (v->size <= kMaxOracleSize) {
        content.emplace();
        for (uint64_t k = 0; k < v->size; k++) content->push_back(PayloadByte(v->payload, k));
      }
    } else {
      if (i == 0) break;  // a chain starts with a FULL version
      auto ops = strata::DecodeOps(v->ops, v->size, map.size(), v->literal_size);
      if (!ops.ok()) {
        STRATA_FUZZ_CHECK(ops.status().IsCorruption());
        break;
      }
      CheckOps(*ops, *v, map.size());
      auto composed = ExtentMap::Compose(map, *ops, v->payload);
      // DecodeOps accepted the ops for this base, so composing them cannot fail.
      STRATA_FUZZ_CHECK(composed.ok());
      if (content && v->size <= kMaxOracleSize) {
        content = ApplyOps(*ops, *content, v->payload);
      } else {
        content.reset();
      }
      map = std::move(composed).value();
    }
    CheckInvariant(map);
    STRATA_FUZZ_CHECK(map.size() == v->size);
    if (content) CheckAgainstOracle(map, *content);
  }
  return 0;
}
