#include "store/lmdb_block_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "store/coding.h"
#include "store/hash.h"
#include "store/lmdb_walk_check.h"
#include "store/store_cipher.h"
#include "store/xxh128.h"

namespace strata {
namespace {

// Format constants: strata-store(5), "BLOCK CACHE".
constexpr uint64_t kMetaMagic = 0x4548434143525453;  // "STRCACHE" as a little-endian u64
constexpr uint32_t kFormatVersion = 5;
constexpr size_t kChecksumSize = 16;
constexpr size_t kValueHeadSize = 4;  // the payload length, before the segments
constexpr size_t kStateSize = 16;
constexpr std::string_view kMetaKey = "meta";
constexpr std::string_view kStateKey = "state";
constexpr const char* kFiles[] = {"data.mdb", "lock.mdb"};

// Eviction starts above 3/4 of the capacity and stops at 3/5; after MDB_MAP_FULL it goes down to 3/10.
uint64_t HighMark(uint64_t capacity) { return capacity / 4 * 3; }
uint64_t LowMark(uint64_t capacity) { return capacity / 5 * 3; }
uint64_t FullMark(uint64_t capacity) { return capacity / 10 * 3; }

// Hits are recorded this often at the latest (also on every batch of puts).
constexpr auto kTouchInterval = std::chrono::milliseconds(500);
constexpr size_t kMaxTouches = 1 << 16;
constexpr size_t kMaxDeletes = 1 << 10;
// A commit writes every page it dirtied and a meta page, so the writer gathers puts for up to this long
// (or until half the queue is used) before committing: a cold `cp -a` of 20k small files made 238k
// pwrite calls when every put was committed on its own.
constexpr auto kGatherTime = std::chrono::milliseconds(50);
// Queued values wait in memory, and the batch being written is copied once more into LMDB's dirty
// pages: a bigger queue only raises the mount's peak memory (by up to twice its size) in a burst of reads.
constexpr uint64_t kMaxQueueBytes = 16 << 20;
// While lookups go on, the pages they map are unmapped at least this often (ReleaseMappedPages): the
// kernel maps up to 16 neighbouring pages at each fault (fault-around), which MDB_NORDAHEAD does not
// prevent, so a walk over every snapshot mapped some 30 MiB of the file a second.
constexpr auto kReleaseInterval = std::chrono::milliseconds(100);

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

Status LmdbStatus(const std::string& context, int rc) {
  if (rc > 0) return Status::FromErrno(context, rc);
  return Status::Corruption(context + ": " + mdb_strerror(rc));
}

}  // namespace

LmdbBlockCache::LmdbBlockCache(LmdbBlockCacheOptions options)
    : options_(std::move(options)),
      walk_passed_(options_.walk_passed),
      queue_limit_(options_.queue_bytes != 0
                       ? options_.queue_bytes
                       : std::clamp<uint64_t>(options_.capacity_bytes / 8, 256 << 10, kMaxQueueBytes)) {}

Result<std::unique_ptr<LmdbBlockCache>> LmdbBlockCache::Open(LmdbBlockCacheOptions options) {
  if (options.capacity_bytes < kMinBlockCacheBytes) {
    return Status::InvalidArgument("cache size " + std::to_string(options.capacity_bytes) +
                                   " is below the minimum of 1 MiB");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::FromErrno("cache directory " + options.dir, ec.value());
  std::unique_ptr<LmdbBlockCache> cache(new LmdbBlockCache(std::move(options)));
  Status s = cache->OpenEnv();
  if (!s.ok()) {
    cache->CloseEnv();
    cache->Log(s.message() + "; rebuilding it");
    for (const char* name : kFiles) {
      const std::string file = cache->options_.dir + "/" + name;
      std::filesystem::remove(file, ec);
      if (ec) return Status::FromErrno("cache file " + file, ec.value());
    }
    s = cache->OpenEnv();
    if (!s.ok()) {
      cache->CloseEnv();
      return s;
    }
  }
  cache->writer_ = std::thread(&LmdbBlockCache::WriterLoop, cache.get());
  return cache;
}

Status LmdbBlockCache::OpenEnv() {
  const std::string& dir = options_.dir;
  const std::string what = "cache " + dir;
  // A walk result applies to the file as it was: a rebuilt cache starts empty and needs none.
  std::optional<bool> passed = std::exchange(walk_passed_, std::nullopt);
  if (!passed) passed = LmdbWalk::Start(dir, options_.capacity_bytes).Passed();
  if (!*passed) return Status::Corruption(what + " is damaged");
  int rc = mdb_env_create(&env_);
  if (rc != 0) return LmdbStatus(what, rc);
  (void)mdb_env_set_maxdbs(env_, 4);
  (void)mdb_env_set_maxreaders(env_, options_.max_readers);
  rc = mdb_env_set_mapsize(env_, options_.capacity_bytes);
  // Not MDB_NORDAHEAD: a value spans many pages, and reading them one fault at a time from a cold page
  // cache made reads from the cache ten times slower.
  if (rc == 0) rc = mdb_env_open(env_, dir.c_str(), MDB_NOSYNC | MDB_NOTLS, 0600);
  if (rc != 0) return LmdbStatus(what + ": cannot open", rc);
  FindMap();
  int dead = 0;
  (void)mdb_reader_check(env_, &dead);  // slots left by crashed processes would pin old pages
  MDB_stat stat;
  MDB_envinfo info;
  (void)mdb_env_stat(env_, &stat);
  (void)mdb_env_info(env_, &info);
  page_size_ = stat.ms_psize;
  // LMDB grows the map to fit a file made with a larger capacity; such a file would never shrink.
  if ((info.me_last_pgno + 1) * page_size_ > options_.capacity_bytes) {
    return Status::FailedPrecondition(what + " is larger than the cache size");
  }
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return LmdbStatus(what, rc);
  Status s = InitMeta(txn);
  if (!s.ok()) {
    mdb_txn_abort(txn);
    return s.WithContext(what);
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return LmdbStatus(what, rc);
  return Status::Ok();
}

// Opens the databases and checks the meta record, or writes it into an empty cache. Multi-process safe:
// this runs in a write transaction, so a concurrent opener sees either no meta record or a whole one.
Status LmdbBlockCache::InitMeta(MDB_txn* txn) {
  MDB_dbi* dbis[] = {&meta_db_, &blocks_db_, &ticks_db_, &lru_db_};
  static_assert(std::size(dbis) == std::size(kCacheDatabases));
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < std::size(dbis); i++)
    rc = mdb_dbi_open(txn, kCacheDatabases[i].name, MDB_CREATE | kCacheDatabases[i].flags, dbis[i]);
  if (rc != 0) return LmdbStatus("databases", rc);
  const std::string_view uuid(reinterpret_cast<const char*>(options_.store_uuid.data()), 16);
  MDB_val k = Val(kMetaKey), v;
  rc = mdb_get(txn, meta_db_, &k, &v);
  if (rc == MDB_NOTFOUND) {
    MDB_stat blocks;
    (void)mdb_stat(txn, blocks_db_, &blocks);
    if (blocks.ms_entries != 0) return Status::Corruption("meta record missing");
    InitSodium();
    checksum_key_.assign(kChecksumSize, '\0');
    randombytes_buf(checksum_key_.data(), checksum_key_.size());
    std::string meta;
    PutFixed64(&meta, kMetaMagic);
    PutFixed32(&meta, kFormatVersion);
    meta.append(uuid);
    meta.append(checksum_key_);
    checksum_seed_ = DecodeFixed64(checksum_key_.data());
    MDB_val mv = Val(meta);
    rc = mdb_put(txn, meta_db_, &k, &mv, 0);
    if (rc == 0) rc = WriteState(txn, State{});
    if (rc != 0) return LmdbStatus("meta record", rc);
    used_ = 0;
    return Status::Ok();
  }
  if (rc != 0) return LmdbStatus("meta record", rc);
  Decoder in(View(v));
  uint64_t magic = 0;
  uint32_t version = 0;
  std::string_view owner, key;
  if (!in.GetFixed64(&magic) || magic != kMetaMagic) return Status::Corruption("bad meta record");
  if (!in.GetFixed32(&version) || version != kFormatVersion) {
    return Status::NotSupported("format version " + std::to_string(version) + ", not " +
                                std::to_string(kFormatVersion));
  }
  if (!in.GetBytes(16, &owner) || !in.GetBytes(kChecksumSize, &key) || !in.done()) {
    return Status::Corruption("bad meta record");
  }
  if (owner != uuid) return Status::FailedPrecondition("made for another store");
  checksum_key_ = key;
  checksum_seed_ = DecodeFixed64(key.data());
  State state;
  rc = ReadState(txn, &state);
  if (rc != 0) return rc == MDB_INVALID ? Status::Corruption("bad state record") : LmdbStatus("state", rc);
  used_ = state.used;
  return Status::Ok();
}

void LmdbBlockCache::CloseEnv() {
  for (MDB_txn* txn : readers_) mdb_txn_abort(txn);
  readers_.clear();
  if (env_ != nullptr) mdb_env_close(env_);
  env_ = nullptr;
}

LmdbBlockCache::~LmdbBlockCache() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  CloseEnv();
}

void LmdbBlockCache::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

MDB_txn* LmdbBlockCache::AcquireReader() {
  MDB_txn* txn = nullptr;
  {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (!readers_.empty()) {
      txn = readers_.back();
      readers_.pop_back();
    }
  }
  if (txn == nullptr) return mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn) == 0 ? txn : nullptr;
  if (mdb_txn_renew(txn) != 0) {
    mdb_txn_abort(txn);
    return nullptr;
  }
  return txn;
}

void LmdbBlockCache::ReleaseReader(MDB_txn* txn) {
  mdb_txn_reset(txn);  // a reset transaction pins no pages, and keeps its reader slot for the next Get
  std::lock_guard<std::mutex> lock(readers_mu_);
  readers_.push_back(txn);
}

Xxh128Digest LmdbBlockCache::Checksum(std::string_view key, uint32_t payload_size, uint32_t index,
                                      std::string_view body) const {
  char fields[12];
  EncodeFixed32(fields, static_cast<uint32_t>(key.size()));
  EncodeFixed32(fields + 4, payload_size);
  EncodeFixed32(fields + 8, index);
  return Xxh128({std::string_view(fields, 4), key, std::string_view(fields + 4, 8), body}, checksum_seed_);
}

std::string LmdbBlockCache::Seal(std::string_view key, std::string_view payload) const {
  if (options_.cipher != nullptr) return options_.cipher->SealCacheValue(key, payload);
  std::string out;
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  AppendCacheSegments(
      payload,
      [&](uint32_t index, std::string_view body, unsigned char* body_out, unsigned char* check_out) {
        std::memcpy(body_out, body.data(), body.size());
        const Xxh128Digest sum = Checksum(key, static_cast<uint32_t>(payload.size()), index, body);
        std::memcpy(check_out, sum.data(), sum.size());
      },
      &out);
  return out;
}

CacheRead LmdbBlockCache::Verify(std::string_view key, std::string_view stored, uint64_t offset, uint64_t n,
                                 std::string* out) const {
  if (options_.cipher != nullptr) return options_.cipher->OpenCacheValue(key, stored, offset, n, out);
  if (stored.size() < kValueHeadSize) return CacheRead::kDamaged;
  const uint32_t payload_size = DecodeFixed32(stored.data());
  return OpenCacheSegments(
      stored.substr(kValueHeadSize), payload_size, offset, n,
      [&](uint32_t index, std::string_view body, const unsigned char* check, unsigned char* to) {
        const Xxh128Digest sum = Checksum(key, payload_size, index, body);
        if (std::memcmp(sum.data(), check, sum.size()) != 0) return false;
        std::memcpy(to, body.data(), body.size());
        return true;
      },
      out);
}

// An estimate of what an entry costs in data.mdb: a value too big for a leaf page gets whole overflow
// pages; the ticks and lru entries come on top.
uint64_t LmdbBlockCache::Charge(size_t key_size, size_t stored_size) const {
  constexpr uint64_t kNode = 16;
  uint64_t block = key_size + stored_size + kNode;
  if (block > page_size_ / 2)
    block = (stored_size + kNode + page_size_ - 1) / page_size_ * page_size_ + key_size;
  return block + 2 * (key_size + 8 + kNode);
}

std::optional<std::string> LmdbBlockCache::GetRange(std::string_view key, uint64_t offset, uint64_t n) {
  std::optional<std::string> out;
  bool damaged = false;
  if (MDB_txn* txn = AcquireReader()) {
    MDB_val k = Val(key), v;
    if (mdb_get(txn, blocks_db_, &k, &v) == 0) {
      out.emplace();
      const CacheRead read = Verify(key, View(v), offset, n, &*out);
      if (read != CacheRead::kOk) {
        out.reset();
        damaged = read == CacheRead::kDamaged;
      }
    }
    ReleaseReader(txn);
  }
  if (out) {
    hits_++;
  } else {
    misses_++;
  }
  if (!out && !damaged) return out;
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (out && queued_.touches.size() < kMaxTouches) queued_.touches.emplace_back(key);
  if (damaged) {
    damaged_++;
    if (!damage_logged_.exchange(true)) {
      Log("cache " + options_.dir +
          ": a value failed its checksum and was dropped (further ones are counted)");
    }
    if (queued_.deletes.size() < kMaxDeletes) queued_.deletes.emplace_back(key);
    queue_cv_.notify_one();
  }
  return out;
}

void LmdbBlockCache::Put(std::string_view key, std::string_view value) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  uint64_t size = key.size() + value.size();
  if (queued_bytes_ + size > queue_limit_) {
    dropped_++;
    return;
  }
  queued_bytes_ += size;
  queued_.puts.emplace_back(key, value);
  // The writer needs waking only to start gathering and to end it early; a wake per put costs a futex
  // round trip each.
  if (queued_.puts.size() == 1 || queued_bytes_ >= queue_limit_ / 2) queue_cv_.notify_one();
}

BlockCacheStats LmdbBlockCache::Stats() const {
  BlockCacheStats s;
  s.hits = hits_;
  s.misses = misses_;
  s.damaged = damaged_;
  s.stored = stored_;
  s.dropped = dropped_;
  s.evicted = evicted_;
  s.used_bytes = used_;
  s.capacity_bytes = options_.capacity_bytes;
  return s;
}

void LmdbBlockCache::Flush() {
  std::unique_lock<std::mutex> lock(queue_mu_);
  uint64_t ticket = ++flushes_asked_;
  queue_cv_.notify_one();
  done_cv_.wait(lock, [&] { return flushes_done_ >= ticket || stop_; });
}

void LmdbBlockCache::WriterLoop() {
  std::unique_lock<std::mutex> lock(queue_mu_);
  uint64_t lookups_released = 0;  // hits + misses when the mapped pages were last released
  while (true) {
    // While lookups go on, the writer also wakes to release the pages they mapped.
    const bool reading = hits_ + misses_ != lookups_released;
    queue_cv_.wait_for(lock, reading ? kReleaseInterval : kTouchInterval, [&] {
      return stop_ || !queued_.puts.empty() || !queued_.deletes.empty() || flushes_asked_ > flushes_done_;
    });
    if (!queued_.puts.empty()) {
      queue_cv_.wait_for(lock, kGatherTime, [&] {
        return stop_ || flushes_asked_ > flushes_done_ || queued_bytes_ >= queue_limit_ / 2;
      });
    }
    Batch batch;
    std::swap(batch, queued_);
    queued_bytes_ = 0;
    const uint64_t answered = flushes_asked_;
    const bool last = stop_;
    lock.unlock();
    const bool write = !batch.empty() && !writes_disabled_;
    if (write) WriteBatch(batch);
    const uint64_t lookups = hits_ + misses_;
    if (write || lookups != lookups_released) {
      ReleaseMappedPages();
      lookups_released = lookups;
    }
    lock.lock();
    flushes_done_ = answered;
    done_cv_.notify_all();
    if (last && queued_.empty()) return;
  }
}

void LmdbBlockCache::WriteBatch(const Batch& batch) {
  int rc = ApplyBatch(batch);
  if (rc == MDB_MAP_FULL) {
    rc = EvictOnly(FullMark(options_.capacity_bytes));
    if (rc == 0) rc = ApplyBatch(batch);
  }
  if (rc == MDB_MAP_FULL) {
    rc = Clear();
    Log("cache " + options_.dir + ": full even after eviction; emptied it");
    if (rc == 0) rc = ApplyBatch(batch);
  }
  if (rc != 0) {
    writes_disabled_ = true;
    Log(LmdbStatus("cache " + options_.dir, rc).message() + "; no longer writing to it");
  }
}

int LmdbBlockCache::ReadState(MDB_txn* txn, State* state) {
  MDB_val k = Val(kStateKey), v;
  int rc = mdb_get(txn, meta_db_, &k, &v);
  if (rc != 0) return rc;
  if (v.mv_size != kStateSize) return MDB_INVALID;
  state->used = DecodeFixed64(static_cast<const char*>(v.mv_data));
  state->next_tick = DecodeFixed64(static_cast<const char*>(v.mv_data) + 8);
  return 0;
}

int LmdbBlockCache::WriteState(MDB_txn* txn, const State& state) {
  std::string bytes;
  PutFixed64(&bytes, state.used);
  PutFixed64(&bytes, state.next_tick);
  MDB_val k = Val(kStateKey), v = Val(bytes);
  return mdb_put(txn, meta_db_, &k, &v, 0);
}

// A write transaction reads every page it changes through the map, so a busy cache would keep its whole
// file mapped into the process (reading every snapshot of a 50k-file store left 145 MiB of it in the
// mount's resident set). Unmapping is harmless for a shared file mapping: the pages stay in the page cache
// and a reader that needs one again takes a minor fault.
void LmdbBlockCache::ReleaseMappedPages() {
  if (map_addr_ != nullptr) (void)madvise(map_addr_, map_size_, MADV_DONTNEED);
}

// LMDB does not say where it mapped the file (mdb_env_info reports only a fixed address), so it is looked
// up among the process's mappings; not finding it only leaves the pages mapped.
void LmdbBlockCache::FindMap() {
  map_addr_ = nullptr;
  std::error_code ec;
  const std::string file = std::filesystem::canonical(options_.dir + "/data.mdb", ec).string();
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (!ec && std::getline(maps, line)) {
    if (line.size() < file.size() + 1 || line.compare(line.size() - file.size(), file.size(), file) != 0 ||
        line[line.size() - file.size() - 1] != ' ') {
      continue;
    }
    uintptr_t begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR, &begin, &end) == 2 && end > begin) {
      map_addr_ = reinterpret_cast<void*>(begin);
      map_size_ = end - begin;
      return;
    }
  }
}

int LmdbBlockCache::Commit(MDB_txn* txn, int rc, const State& state) {
  if (rc == 0) rc = WriteState(txn, state);
  if (rc != 0) {
    mdb_txn_abort(txn);
    return rc;
  }
  rc = mdb_txn_commit(txn);
  if (rc == 0) {
    used_ = state.used;
    stored_ += state.stored;
    evicted_ += state.evicted;
  }
  return rc;
}

// Deletes an entry (its value, tick and lru record) if present.
int LmdbBlockCache::Remove(MDB_txn* txn, std::string_view key, State* state) {
  MDB_val k = Val(key), v, t;
  int rc = mdb_get(txn, blocks_db_, &k, &v);
  if (rc != 0) return rc == MDB_NOTFOUND ? 0 : rc;
  uint64_t charge = Charge(key.size(), v.mv_size);
  rc = mdb_del(txn, blocks_db_, &k, nullptr);
  if (rc == 0 && mdb_get(txn, ticks_db_, &k, &t) == 0 && t.mv_size == 8) {
    uint64_t tick = DecodeFixed64(static_cast<const char*>(t.mv_data));
    MDB_val lk{sizeof tick, &tick};
    rc = mdb_del(txn, lru_db_, &lk, nullptr);
    if (rc == MDB_NOTFOUND) rc = 0;
  }
  if (rc == 0) rc = mdb_del(txn, ticks_db_, &k, nullptr);
  if (rc == MDB_NOTFOUND) rc = 0;
  state->used -= std::min(state->used, charge);
  return rc;
}

// Removes the least recently used entries until the estimate is at most `target_used`.
int LmdbBlockCache::Evict(MDB_txn* txn, State* state, uint64_t target_used) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, lru_db_, &cursor);
  while (rc == 0 && state->used > target_used) {
    MDB_val tick, key;
    rc = mdb_cursor_get(cursor, &tick, &key, MDB_FIRST);
    if (rc == MDB_NOTFOUND) {
      state->used = 0;  // nothing left to evict: the estimate had drifted
      rc = 0;
      break;
    }
    std::string victim(View(key));
    if (rc == 0) rc = mdb_cursor_del(cursor, 0);
    if (rc == 0) rc = Remove(txn, victim, state);
    state->evicted++;
  }
  if (cursor != nullptr) mdb_cursor_close(cursor);
  return rc;
}

int LmdbBlockCache::ApplyBatch(const Batch& batch) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return rc;
  State state;
  rc = ReadState(txn, &state);
  // A value reported damaged is deleted only if it still fails: another process may have replaced it.
  for (const std::string& key : batch.deletes) {
    MDB_val k = Val(key), v;
    std::string payload;
    if (rc == 0 && mdb_get(txn, blocks_db_, &k, &v) == 0 &&
        Verify(key, View(v), 0, kCacheToEnd, &payload) == CacheRead::kDamaged)
      rc = Remove(txn, key, &state);
  }
  uint64_t incoming = 0;
  for (const auto& [key, value] : batch.puts) {
    incoming += Charge(key.size(), kMaxCacheValueHead + CacheSegmentsSize(value.size()));
  }
  const uint64_t high = HighMark(options_.capacity_bytes);
  if (rc == 0 && state.used + incoming > high) {
    rc = Evict(txn, &state, std::min(LowMark(options_.capacity_bytes), high - std::min(high, incoming)));
  }
  for (const auto& [key, value] : batch.puts) {
    if (rc != 0) break;
    MDB_val k = Val(key), v;
    if (mdb_get(txn, blocks_db_, &k, &v) == 0) continue;  // content-addressed: the same value is there
    const std::string sealed = Seal(key, value);
    const uint64_t tick = state.next_tick++;
    std::string tick_bytes;
    PutFixed64(&tick_bytes, tick);
    MDB_val sv = Val(sealed), tv = Val(tick_bytes), lk{sizeof tick, const_cast<uint64_t*>(&tick)};
    rc = mdb_put(txn, blocks_db_, &k, &sv, MDB_NOOVERWRITE);
    if (rc == 0) rc = mdb_put(txn, ticks_db_, &k, &tv, 0);
    if (rc == 0) rc = mdb_put(txn, lru_db_, &lk, &k, MDB_NOOVERWRITE);
    state.used += Charge(key.size(), sealed.size());
    state.stored++;
  }
  // A hit moves its entry to the recent end of the lru order.
  for (const std::string& key : batch.touches) {
    if (rc != 0) break;
    MDB_val k = Val(key), t;
    if (mdb_get(txn, ticks_db_, &k, &t) != 0 || t.mv_size != 8) continue;
    uint64_t old_tick = DecodeFixed64(static_cast<const char*>(t.mv_data));
    const uint64_t tick = state.next_tick++;
    std::string tick_bytes;
    PutFixed64(&tick_bytes, tick);
    MDB_val ok{sizeof old_tick, &old_tick}, lk{sizeof tick, const_cast<uint64_t*>(&tick)},
        tv = Val(tick_bytes);
    rc = mdb_del(txn, lru_db_, &ok, nullptr);
    if (rc == MDB_NOTFOUND) rc = 0;
    if (rc == 0) rc = mdb_put(txn, lru_db_, &lk, &k, MDB_NOOVERWRITE);
    if (rc == 0) rc = mdb_put(txn, ticks_db_, &k, &tv, 0);
  }
  return Commit(txn, rc, state);
}

int LmdbBlockCache::EvictOnly(uint64_t target_used) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return rc;
  State state;
  rc = ReadState(txn, &state);
  if (rc == 0) rc = Evict(txn, &state, target_used);
  return Commit(txn, rc, state);
}

int LmdbBlockCache::Clear() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return rc;
  State state;
  rc = ReadState(txn, &state);
  for (MDB_dbi dbi : {blocks_db_, ticks_db_, lru_db_}) {
    if (rc == 0) rc = mdb_drop(txn, dbi, 0);
  }
  state.used = 0;
  return Commit(txn, rc, state);
}

}  // namespace strata
