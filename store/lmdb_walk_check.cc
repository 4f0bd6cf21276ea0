#include "store/lmdb_walk_check.h"

#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "store/lmdb_page_check.h"

namespace strata {
namespace {

// LMDB 0.9's page header (mdb.c, MDB_page): pgno u64, pad u16, flags u16, then the overflow page count
// u32. An overflow value's data starts right after the header of its first page.
constexpr size_t kPageHeaderSize = 16;
constexpr uint16_t kOverflowFlag = 0x04;
// Opens (creating where missing) every database of the cache; deletes every entry and puts it back with a
// one-byte value; puts and deletes a probe entry, as a fresh cache's first writes would; then deletes them
// all again. The caller aborts the transaction. An error or a crash here is what a damaged page would do to
// the cache's writer. (Shrinking values in place with MDB_CURRENT would be shorter, but LMDB 0.9.24 does
// that with an overlapping memcpy, which sanitizers reject.)
int RehearseWrites(MDB_txn* txn) {
  char byte = 0;
  MDB_val small{1, &byte};
  for (const LmdbDatabase& db : kCacheDatabases) {
    MDB_dbi dbi;
    MDB_cursor* cursor = nullptr;
    if (mdb_dbi_open(txn, db.name, MDB_CREATE | db.flags, &dbi) != 0 ||
        mdb_cursor_open(txn, dbi, &cursor) != 0)
      return 1;
    std::vector<std::string> keys;
    MDB_val k, v;
    int rc;
    for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      keys.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
    }
    if (rc != MDB_NOTFOUND) return 1;
    keys.emplace_back(sizeof(uint64_t), '\xff');  // an integer key, valid in every database
    for (std::string& key : keys) {
      MDB_val kv{key.size(), key.data()};
      rc = mdb_del(txn, dbi, &kv, nullptr);
      if ((rc != 0 && rc != MDB_NOTFOUND) || mdb_put(txn, dbi, &kv, &small, 0) != 0) return 1;
    }
    while ((rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)) == 0) {
      if (mdb_cursor_del(cursor, 0) != 0) return 1;
    }
    if (rc != MDB_NOTFOUND) return 1;
  }
  return 0;
}

// Checks everything in the environment; the exit status of the child.
int Walk(const std::string& dir, uint64_t map_size) {
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  if (mdb_env_create(&env) != 0 || mdb_env_set_maxdbs(env, 8) != 0 ||
      mdb_env_set_mapsize(env, map_size) != 0 ||
      mdb_env_open(env, dir.c_str(), MDB_NOTLS | MDB_NOSYNC, 0600) != 0 ||
      mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) != 0) {  // the free list is readable only here
    return 1;
  }
  MDB_envinfo info;
  MDB_stat stat;
  if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &stat) != 0) return 1;
  const uint64_t page_size = stat.ms_psize;
  const uint64_t pages = info.me_last_pgno + 1;
  if (!LmdbPagesAreSound(dir + "/data.mdb", page_size)) return 1;
  std::vector<MDB_dbi> dbis = {0, 1};  // the free list and the main database (which names the others)
  for (const LmdbDatabase& db : kCacheDatabases) {
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn, db.name, db.flags, &dbi);
    if (rc == 0) dbis.push_back(dbi);
    if (rc != 0 && rc != MDB_NOTFOUND) return 1;
  }
  const char* map_base = nullptr;  // where page 0 is mapped, learned from the first overflow value
  volatile char sink = 0;
  for (MDB_dbi dbi : dbis) {
    MDB_cursor* cursor = nullptr;
    if (mdb_cursor_open(txn, dbi, &cursor) != 0) return 1;
    MDB_val k, v;
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      if (v.mv_size > map_size) return 1;
      const char* data = static_cast<const char*>(v.mv_data);
      if (v.mv_size > 0) sink = static_cast<char>(sink ^ data[0] ^ data[v.mv_size - 1]);
      // Inline values sit inside a leaf page, never right after a page header; overflow values always do.
      const char* page = data - kPageHeaderSize;
      if (reinterpret_cast<uintptr_t>(page) % page_size != 0) continue;
      uint64_t pgno;
      uint16_t flags;
      uint32_t count;
      std::memcpy(&pgno, page, sizeof pgno);
      std::memcpy(&flags, page + 10, sizeof flags);
      std::memcpy(&count, page + 12, sizeof count);
      if (map_base == nullptr) map_base = page - pgno * page_size;
      if ((flags & kOverflowFlag) == 0 || page != map_base + pgno * page_size ||
          count != (v.mv_size + kPageHeaderSize + page_size - 1) / page_size || pgno >= pages ||
          count > pages - pgno) {
        return 1;
      }
    }
    if (rc != MDB_NOTFOUND) return 1;
    // Free-list records are page-number lists: a count, then that many page numbers, descending.
    if (dbi != 0) continue;
    for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      if (v.mv_size % 8 != 0 || v.mv_size < 8) return 1;
      std::vector<uint64_t> list(v.mv_size / 8);
      std::memcpy(list.data(), v.mv_data, v.mv_size);
      if (list[0] != list.size() - 1) return 1;
      for (size_t i = 1; i < list.size(); i++) {
        if (list[i] >= pages || list[i] < 2 || (i > 1 && list[i] >= list[i - 1])) return 1;
      }
    }
  }
  mdb_txn_abort(txn);
  if (mdb_txn_begin(env, nullptr, 0, &txn) != 0) return 1;
  return RehearseWrites(txn);  // never committed: the child exits with the transaction open
}

}  // namespace

LmdbWalk LmdbWalk::Start(const std::string& dir, uint64_t map_size) {
  LmdbWalk walk;
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/data.mdb", ec)) return walk;
  walk.pid_ = fork();
  if (walk.pid_ == 0) _exit(Walk(dir, map_size));
  return walk;
}

bool LmdbWalk::Passed() {
  if (pid_ < 0) return true;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return true;
  }
  pid_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace strata
