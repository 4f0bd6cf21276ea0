// ObjectIndex: finds the IndexEntry of an object id.
//
// Committed objects are listed in index files (index/<id>.idx): a header, entries sorted by object id and
// a checksum. They are memory-mapped and binary-searched in place, so opening a store costs one mmap per
// index file whatever the number of objects. Objects written by the current process are added with
// AddLocal and found at once. Thread-safe.
//
// In an encrypted store an index file is sealed whole (StoreCipher) and named by the keyed hash of its
// plaintext; it is read and opened into memory instead of mapped.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/env.h"
#include "store/index_entry.h"
#include "store/store_cipher.h"

namespace strata {

class ObjectIndex {
 public:
  // `cipher`: null for a plain store; otherwise it must outlive the index.
  ObjectIndex(Env* env, std::string store_dir, const StoreCipher* cipher = nullptr);

  // Maps index files not yet seen (all of them on the first call) and forgets those that are gone (a prune
  // replaced them). A damaged file is reported and skipped by later lookups; the error names it.
  Status Refresh();
  // Changes whenever Refresh maps or forgets a file: a reader whose object vanished with its pack retries
  // only if the index moved meanwhile.
  uint64_t generation() const { return generation_.load(); }
  // Any one entry of `id`: an object written twice (a coalesced version record, strata-store(5)) has
  // several, each valid.
  std::optional<IndexEntry> Find(const ObjectId& id) const;
  // Every entry of `id`: this process's uncommitted one first, then one per index file listing it.
  std::vector<IndexEntry> FindAll(const ObjectId& id) const;
  void AddLocal(const IndexEntry& entry);
  // Forgets every AddLocal entry, after mapping the index files not yet seen (so what this process committed
  // stays findable through them). A writer that fails or is cancelled calls it: the objects it added may lie
  // in packs that were never sealed and are gone, and a later writer in this process must not take them
  // for stored.
  Status DropUncommitted();
  // Every pack that some index file lists (a sealed pack outside this set was left by a killed backup).
  std::unordered_set<std::string> CoveredPacks() const;
  // The names of the index files mapped now, and every entry they hold (an id listed by several files once
  // per file). An entry that does not decode is passed as an error naming its file.
  std::vector<std::string> FileNames() const;
  void ForEachEntry(const std::function<void(const Result<IndexEntry>&)>& fn) const;
  // Verifies the plaintext of an index file end to end (checksum, order, entry fields).
  static Status Verify(std::string_view bytes, const std::string& what, const StoreCipher* cipher = nullptr);
  // Verifies index file `name` in the store end to end, its name included; used by check.
  Status VerifyFile(const std::string& name) const;

  // Writes an index file for `entries` (sorted and deduplicated here) durably; returns its path.
  static Result<std::string> Write(Env* env, const std::string& store_dir, std::vector<IndexEntry> entries,
                                   const StoreCipher* cipher = nullptr);

 private:
  struct File {
    std::string name;
    std::unique_ptr<MappedFile> map;         // plain stores
    std::unique_ptr<std::string> plaintext;  // encrypted stores (on the heap: `entries` points into it)
    std::string_view entries;                // within map or plaintext
  };
  std::optional<IndexEntry> FindIn(const File& file, const ObjectId& id) const;
  // Maps (plain) or reads and opens (encrypted) index file `name`, checking its layout.
  Status Load(const std::string& name, File* file) const;
  // Unmaps the files whose names are not in `sorted_names` (the directory's listing, sorted).
  void ForgetGone(const std::vector<std::string>& sorted_names);

  Env* env_;
  std::string store_dir_;
  const StoreCipher* cipher_;
  mutable std::shared_mutex mu_;
  std::vector<File> files_;  // guarded by mu_
  // The file of the latest hit, searched first: the objects a reader needs together (one snapshot's
  // files) mostly sit in one index file, and without the hint a store of 100 backups made every lookup
  // of the oldest snapshot's objects a binary search in each of 100 files.
  mutable std::atomic<size_t> hint_{0};
  std::atomic<uint64_t> generation_{0};
  std::unordered_set<std::string> seen_;                          // file names; guarded by mu_
  std::unordered_map<ObjectId, IndexEntry, ObjectIdHash> local_;  // guarded by mu_
};

}  // namespace strata
