// Coalescing delta chains (Repository::Coalesce): a file version stored as a delta needs every version
// below it in its chain, so old snapshots' data cannot be freed while newer versions build on it, and long
// chains make reads slow. Coalesce gives the versions that must start a chain a FULL record, and the
// versions above them a record with their new depth; the old records stay valid until a prune drops them.
// Snapshot ids and the content of every file stay as they are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// At least one of `before` and `max_chain`.
struct CoalesceRequest {
  // A snapshot (as everywhere: id, id prefix, name, "latest"): the versions of it and of every later
  // snapshot stop depending on versions only earlier snapshots use, so forgetting those frees their data.
  std::string before;
  // Chains of the versions snapshots use get at most this many deltas (0: no limit).
  uint32_t max_chain = 0;
  bool dry_run = false;  // plan and report, write nothing, take no lock
};

struct DamagedVersion {
  std::string version;  // id, hex
  std::string message;
};

struct CoalesceResult {
  uint64_t snapshots = 0;       // whose versions were coalesced
  uint64_t versions = 0;        // examined: the versions they use and the delta bases below them
  uint64_t made_full = 0;       // given a FULL record (or, dry run, that would be)
  uint64_t redepthed = 0;       // given a delta record of a new depth (or would be)
  uint64_t content_bytes = 0;   // file content rebuilt for the FULL records
  uint64_t bytes_written = 0;   // to new packs
  uint32_t deepest_before = 0;  // the longest chain among the versions examined
  uint32_t deepest_after = 0;
  // Versions whose content does not rebuild to its hash, or whose chain cannot be read: no record was
  // written for them or for the versions that build on them.
  std::vector<DamagedVersion> damaged;
};

}  // namespace strata
