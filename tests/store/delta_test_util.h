// Slow, obviously correct readers of op lists and extent maps, the oracles the delta tests compare against.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/delta_ops.h"
#include "store/extent_map.h"
#include "store/hash.h"
#include "store/object_id.h"

namespace strata::test {

// The new file `ops` describe over `base` and the literal stream. Out-of-range ops throw, failing the test.
inline std::string ApplyOps(const std::string& base, const std::vector<DeltaOp>& ops,
                            const std::string& literals) {
  std::string out;
  for (const DeltaOp& op : ops) {
    const std::string& from = op.kind == DeltaOp::Kind::kCopy ? base : literals;
    if (op.src_offset > from.size() || op.length > from.size() - op.src_offset) {
      ADD_FAILURE() << "op reads past its source";
      return out;
    }
    out.append(from, op.src_offset, op.length);
  }
  return out;
}

using PayloadStore = std::map<ObjectId, std::string>;

inline ObjectId IdOf(std::string_view payload) {
  InitSodium();
  return HashBytes(payload);
}

// Reads [offset, offset + length) of a version through its extent map.
inline std::string ReadExtents(const ExtentMap& map, const PayloadStore& payloads, uint64_t offset,
                               uint64_t length) {
  std::string out;
  uint64_t end = std::min(map.size(), offset + length);
  for (const Extent& e : map.Lookup(offset, length)) {
    uint64_t from = std::max(offset, e.offset);
    uint64_t to = std::min(end, e.offset + e.length);
    out.append(payloads.at(map.sources()[e.source]), e.source_offset + (from - e.offset), to - from);
  }
  return out;
}

inline std::string ReadAll(const ExtentMap& map, const PayloadStore& payloads) {
  return ReadExtents(map, payloads, 0, map.size());
}

// Runs a shell command, returning true on exit status 0.
inline bool Shell(const std::string& command) { return std::system(command.c_str()) == 0; }

}  // namespace strata::test
