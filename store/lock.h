// Store locks: advisory lock files under STORE/locks/ that keep commands which delete things (prune,
// coalesce: exclusive) away from commands that add or read things (backup, check: shared).
//
// A lock is a small text file created atomically; its owner rewrites it periodically so that a lock whose
// owner vanished without removing it (a crash, kill -9, a host that went away) can be told apart from a
// live one: it is stale when its process is gone (same host only) or it was not refreshed for an hour.
// Stale locks never block anyone; they are reported and `strata unlock` removes them. Acquiring writes the
// lock first and then looks for conflicts, so of two racing processes at least one sees the other.
// The format and the rules are in strata-store(5), "LOCKS".
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/env.h"

namespace strata {

enum class LockKind { kShared, kExclusive };

struct LockInfo {
  std::string file;  // name under locks/
  LockKind kind = LockKind::kShared;
  std::string command;  // what holds it: "backup", "check", ...
  std::string host;
  int64_t pid = 0;
  int64_t started = 0;    // seconds since the epoch
  int64_t refreshed = 0;  // seconds since the epoch; started at first
  std::string damage;     // why the file could not be read; empty for a readable lock

  std::string Encode() const;
  static Result<LockInfo> Decode(std::string_view bytes, const std::string& what);
  // "backup, host h, pid 12, since 2026-11-22T10:15:30Z" (or the damage).
  std::string Describe() const;
};

struct LockTiming {
  int64_t refresh_interval = 300;  // seconds between rewrites by the owner
  int64_t stale_after = 3600;      // a lock not refreshed for this long is stale
  std::function<int64_t()> clock;  // seconds since the epoch; empty: the system clock
  int64_t Now() const;
};

// Why `lock` is stale (its process is gone, it is too old, it is unreadable), or "" if it is live.
std::string StaleReason(const LockInfo& lock, const LockTiming& timing);

// Every lock file of the store (damaged ones with `damage` set), by file name. No locks/ is no locks.
Result<std::vector<LockInfo>> ListLocks(Env* env, const std::string& store_dir);

class StoreLock {
 public:
  // Takes a lock of `kind` for `command`, or fails with FailedPrecondition naming a live conflicting lock
  // (an exclusive one, or any one when `kind` is exclusive). Stale locks are passed to `on_stale` (one
  // line each, saying how to remove them) and otherwise ignored.
  static Result<std::unique_ptr<StoreLock>> Acquire(Env* env, const std::string& store_dir, LockKind kind,
                                                    const std::string& command,
                                                    const std::function<void(const std::string&)>& on_stale,
                                                    const LockTiming& timing = {});
  ~StoreLock();  // releases the lock
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

  // Stops refreshing and removes the file.
  Status Release();
  const std::string& path() const { return path_; }
  // The lock's id: its file name without the suffix. Temporary packs carry it (temp_packs.h).
  std::string id() const;

 private:
  StoreLock(Env* env, std::string path, LockInfo info, const LockTiming& timing);
  void RefreshLoop();

  Env* env_;
  std::string path_;
  LockInfo info_;
  LockTiming timing_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread refresher_;
};

struct UnlockResult {
  std::vector<LockInfo> removed;
  std::vector<LockInfo> kept;  // live locks
};

// Removes stale locks (every lock with `all`), keeping live ones.
Result<UnlockResult> RemoveLocks(Env* env, const std::string& store_dir, bool all,
                                 const LockTiming& timing = {});

}  // namespace strata
