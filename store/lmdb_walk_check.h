// A crash-proof structural check of an LMDB environment, for caches that must never be trusted blindly.
// LMDB checksums nothing: a damaged branch, leaf or overflow page can make a reader crash, or a writer
// abort on an assertion, instead of returning an error. So the check runs in a child process: it reads
// every page of every database, checks the structure of every reachable page (lmdb_page_check.h),
// cross-checks the page headers and free list that LMDB 0.9 relies on when freeing pages, then rehearses the
// writes a cache makes (shrinking and deleting every entry) in a transaction it aborts, so the file is left
// as it was.
#pragma once

#include <lmdb.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace strata {

// The block cache's named databases, with the flags it creates them with. The walk rehearses creating and
// writing exactly these: a cache whose main database lost a name would otherwise have it created again
// through a damaged page.
struct LmdbDatabase {
  const char* name;
  unsigned int flags;
};
inline constexpr LmdbDatabase kCacheDatabases[] = {
    {"meta", 0}, {"blocks", 0}, {"ticks", 0}, {"lru", MDB_INTEGERKEY}};

// The check of the environment in `dir` (opened read-only with a map of `map_size` bytes), running in a
// child process. Start it while the process has no environment of `dir` open and no other threads (it
// forks); Passed may then be called from any thread, once.
class LmdbWalk {
 public:
  // Without a data.mdb in `dir` there is nothing to check, and no child.
  static LmdbWalk Start(const std::string& dir, uint64_t map_size);
  // Waits for the child. True if the environment passed, or if no child could be started: the caller's
  // own value checksums still keep wrong bytes out.
  bool Passed();

 private:
  pid_t pid_ = -1;
};

}  // namespace strata
