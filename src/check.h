// Check: verifies that every snapshot of a store can be read back.
//
// Structure (always): index files verify end to end, manifests decode, every tree and version record
// reachable from a snapshot decodes, every object they reference is listed by an index file and lies
// within its pack with a consistent frame table, and every delta chain is acyclic, bounded and composes.
// With read_data, every file version is also rebuilt and its content hash compared, which decodes and
// verifies every frame of every data object in use, and signatures are read whole.
//
// Objects shared by many snapshots are checked once. A damaged object is reported once, with the
// snapshots and paths that need it; objects no snapshot uses are not looked at.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/store.h"
#include "strata/progress.h"

namespace strata {

struct CheckProgress {
  uint64_t snapshots_done = 0;
  uint64_t snapshots_total = 0;
  uint64_t objects = 0;     // distinct trees, version records, data and signature objects checked so far
  uint64_t bytes_read = 0;  // content bytes rebuilt (read_data)
  std::string snapshot;     // name of the snapshot being checked
};

struct CheckOptions {
  bool read_data = false;
  size_t max_paths = 20;  // dependents listed per damaged object; the rest are counted
  // Damaged objects listed in full (message and dependents); the rest are only counted, so that a crafted
  // store naming millions of missing objects costs a few bytes per object, not a message and paths each.
  size_t max_problems = 1000;
  std::function<void(const CheckProgress&)> on_progress;  // called often: throttle in the callback
  std::function<void(const std::string&)> on_note;        // e.g. stale locks ignored
  // Checked between snapshots and directories: once cancelled, the check stops (Cancelled).
  const CancelToken* cancel = nullptr;
  // Called once for every distinct object a readable snapshot reaches (trees, version records, delta bases,
  // signatures, payloads), damaged or not, with the type it is reached as: a prune's mark.
  std::function<void(const ObjectId&, format::ObjectType)> on_reached;
};

struct CheckDependent {
  std::string snapshot;  // name
  ObjectId snapshot_id;
  std::string path;  // relative to the snapshot root; "." is the root itself
};

struct CheckProblem {
  std::string object;  // hex: the object id, the snapshot id of a manifest, or an index file's checksum
  std::string kind;    // "manifest", "index file", "tree", "version", "data" or "signature"
  std::string message;
  std::vector<CheckDependent> dependents;
  uint64_t more_dependents = 0;  // beyond max_paths
};

struct CheckResult {
  uint64_t snapshots = 0;  // readable ones
  uint64_t index_files = 0;
  uint64_t trees = 0;
  uint64_t versions = 0;
  uint64_t objects = 0;  // data and signature objects
  uint64_t bytes_read = 0;
  std::vector<CheckProblem> problems;
  uint64_t unlisted_problems = 0;  // damaged objects beyond max_problems: counted, not listed
};

// "data", "tree", "version" or "signature", as CheckProblem::kind names them.
const char* ObjectKindName(format::ObjectType type);

// Takes a shared store lock for its duration. Damage is reported in the result; a Status is returned
// only when the check itself cannot run (the store cannot be listed, a conflicting lock).
Result<CheckResult> RunCheck(Store* store, const CheckOptions& options);
// The same check for a caller that already holds a lock on the store (prune: an exclusive one).
Result<CheckResult> RunCheckLocked(Store* store, const CheckOptions& options);

}  // namespace strata
