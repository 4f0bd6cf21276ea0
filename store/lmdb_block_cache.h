// LmdbBlockCache: the BlockCache kept in an LMDB environment in one directory (data.mdb, lock.mdb), shared
// by every thread of a process and by concurrent processes, surviving restarts. Format: strata-store(5),
// "BLOCK CACHE".
//
// Readers never wait for writes: each Get uses a pooled read-only transaction (MDB_NOTLS), renewed for
// the lookup and reset right after. Puts, deletes of damaged values and the "recently used" touches of
// hits go to bounded in-memory queues that one writer thread commits in batches; a full queue drops puts.
//
// Size: the map is as large as the capacity, so data.mdb can never outgrow it. The writer keeps an
// estimate of the bytes held and evicts the least recently used entries once it passes three quarters of
// the capacity (LMDB needs free room to delete, and copy-on-write pages to commit). Should the map fill
// anyway, the writer evicts harder, then empties the cache; reads are never failed by any of this.
//
// Every value is kept in segments (cache_value.h), each checked by a seeded XXH3-128 over the value's key and
// length, the segment's index and its bytes, with the seed drawn at random when the cache is created (or
// sealed, for an encrypted store); a read checks the segments it reads, and a value that fails is a miss, is
// deleted, and is logged once.
#pragma once

#include <lmdb.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/block_cache.h"
#include "store/status.h"
#include "store/xxh128.h"

namespace strata {

class StoreCipher;

inline constexpr uint64_t kDefaultBlockCacheBytes = 1ull << 30;
inline constexpr uint64_t kMinBlockCacheBytes = 1ull << 20;

struct LmdbBlockCacheOptions {
  std::string dir;                       // created (with its parents) if missing
  std::array<uint8_t, 16> store_uuid{};  // a cache made for another store is rebuilt
  uint64_t capacity_bytes = kDefaultBlockCacheBytes;
  unsigned max_readers = 256;  // concurrent Gets per process, plus other processes' readers
  // Bytes of puts waiting for the writer before further puts are dropped; 0 picks capacity / 8, at least
  // 256 KiB and at most 16 MiB.
  uint64_t queue_bytes = 0;
  std::function<void(const std::string&)> log;  // one line per event; may be empty
  // An encrypted store's cipher: values are then sealed with its cache subkey instead of checksummed, so
  // the cache holds no plaintext. Must outlive the cache.
  const StoreCipher* cipher = nullptr;
  // The outcome of an LmdbWalk the caller ran on `dir` (so that a mount can walk a big cache while it
  // already serves); unset, Open walks the file itself.
  std::optional<bool> walk_passed;
};

class LmdbBlockCache final : public BlockCache {
 public:
  // Opens the cache in options.dir, rebuilding it (and saying so through the log) when it is damaged, of
  // another format version, made for another store, or larger than the capacity. An error means the
  // directory cannot hold a cache at all; the caller then runs without one.
  static Result<std::unique_ptr<LmdbBlockCache>> Open(LmdbBlockCacheOptions options);
  // Writes what is queued, then closes. No Get or Put may be running.
  ~LmdbBlockCache() override;
  LmdbBlockCache(const LmdbBlockCache&) = delete;
  LmdbBlockCache& operator=(const LmdbBlockCache&) = delete;

  std::optional<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t n) override;
  void Put(std::string_view key, std::string_view value) override;
  BlockCacheStats Stats() const override;

  // Returns once every put, touch and delete queued before the call has been committed (or given up on).
  void Flush();

 private:
  struct State {
    uint64_t used = 0;       // estimated bytes held
    uint64_t next_tick = 1;  // recency clock: a larger tick was used more recently
    // Not stored: what the transaction did, added to the statistics once it commits.
    uint64_t stored = 0;
    uint64_t evicted = 0;
  };
  struct Batch {
    std::vector<std::pair<std::string, std::string>> puts;
    std::vector<std::string> touches;
    std::vector<std::string> deletes;
    bool empty() const { return puts.empty() && touches.empty() && deletes.empty(); }
  };

  explicit LmdbBlockCache(LmdbBlockCacheOptions options);
  Status OpenEnv();
  void CloseEnv();
  Status InitMeta(MDB_txn* txn);

  MDB_txn* AcquireReader();
  void ReleaseReader(MDB_txn* txn);
  // Bytes [offset, offset + n) of a stored value's payload into *out, checking the segments they lie in.
  CacheRead Verify(std::string_view key, std::string_view stored, uint64_t offset, uint64_t n,
                   std::string* out) const;
  void ReleaseMappedPages();
  void FindMap();
  // The check of segment `index` (bytes `body`) of a `payload_size`-byte value under `key`.
  Xxh128Digest Checksum(std::string_view key, uint32_t payload_size, uint32_t index,
                        std::string_view body) const;
  std::string Seal(std::string_view key, std::string_view payload) const;
  uint64_t Charge(size_t key_size, size_t stored_size) const;

  void WriterLoop();
  void WriteBatch(const Batch& batch);
  // LMDB return codes: 0, MDB_MAP_FULL (the caller evicts and retries), or another failure.
  int ApplyBatch(const Batch& batch);
  int EvictOnly(uint64_t target_used);
  int Clear();
  int Evict(MDB_txn* txn, State* state, uint64_t target_used);
  int Remove(MDB_txn* txn, std::string_view key, State* state);
  int ReadState(MDB_txn* txn, State* state);
  int WriteState(MDB_txn* txn, const State& state);
  // Writes the state record and commits if `rc` is 0, else aborts; counts what the transaction did.
  int Commit(MDB_txn* txn, int rc, const State& state);
  void Log(const std::string& line) const;

  const LmdbBlockCacheOptions options_;
  std::optional<bool> walk_passed_;  // options_.walk_passed until the first OpenEnv uses it
  const uint64_t queue_limit_;
  MDB_env* env_ = nullptr;
  MDB_dbi meta_db_ = 0, blocks_db_ = 0, ticks_db_ = 0, lru_db_ = 0;
  size_t page_size_ = 4096;
  void* map_addr_ = nullptr;  // where LMDB mapped data.mdb, once found
  size_t map_size_ = 0;
  std::string checksum_key_;    // from the meta record
  uint64_t checksum_seed_ = 0;  // its first 8 bytes

  std::mutex readers_mu_;
  std::vector<MDB_txn*> readers_;  // reset read-only transactions; guarded by readers_mu_

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;  // wakes the writer
  std::condition_variable done_cv_;   // wakes Flush
  Batch queued_;                      // guarded by queue_mu_
  uint64_t queued_bytes_ = 0;         // guarded by queue_mu_
  uint64_t flushes_asked_ = 0;        // Flush calls so far; guarded by queue_mu_
  uint64_t flushes_done_ = 0;         // of those, how many the writer has answered; guarded by queue_mu_
  bool stop_ = false;                 // guarded by queue_mu_
  std::thread writer_;

  bool writes_disabled_ = false;  // writer thread only: the cache could not be written even once emptied
  std::atomic<bool> damage_logged_{false};
  std::atomic<uint64_t> hits_{0}, misses_{0}, damaged_{0}, stored_{0}, dropped_{0}, evicted_{0}, used_{0};
};

}  // namespace strata
