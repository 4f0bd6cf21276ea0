// ObjectIndex: finds the IndexEntry of an object id.
//
// Committed objects are listed in index files (index/<id>.idx): a header, entries sorted by object id and
// a checksum. They are memory-mapped and binary-searched in place, so opening a store costs one mmap per
// index file whatever the number of objects. Objects written by the current process are added with
// AddLocal and found at once. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/env.h"
#include "store/index_entry.h"

namespace strata {

class ObjectIndex {
 public:
  ObjectIndex(Env* env, std::string store_dir);

  // Maps index files not yet seen (all of them on the first call). A damaged file is reported and skipped
  // by later lookups; the error names it.
  Status Refresh();
  std::optional<IndexEntry> Find(const ObjectId& id) const;
  void AddLocal(const IndexEntry& entry);
  // Every pack that some index file lists (a sealed pack outside this set was left by a killed backup).
  std::unordered_set<std::string> CoveredPacks() const;
  // Verifies an index file end to end (checksum, order, entry fields); used by check.
  static Status Verify(std::string_view bytes, const std::string& what);

  // Writes an index file for `entries` (sorted and deduplicated here) durably; returns its path.
  static Result<std::string> Write(Env* env, const std::string& store_dir, std::vector<IndexEntry> entries);

 private:
  struct File {
    std::string name;
    std::unique_ptr<MappedFile> map;
    std::string_view entries;  // within map
  };
  std::optional<IndexEntry> FindIn(const File& file, const ObjectId& id) const;

  Env* env_;
  std::string store_dir_;
  mutable std::shared_mutex mu_;
  std::vector<File> files_;                                       // guarded by mu_
  std::unordered_set<std::string> seen_;                          // file names; guarded by mu_
  std::unordered_map<ObjectId, IndexEntry, ObjectIdHash> local_;  // guarded by mu_
};

}  // namespace strata
