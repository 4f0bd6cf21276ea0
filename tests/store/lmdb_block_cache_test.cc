#include "store/lmdb_block_cache.h"

#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/master_key.h"
#include "store/store_cipher.h"
#include "tests/testutil.h"

namespace strata {
namespace {

std::string Key(int i) { return "key-" + std::to_string(i); }
// Values are a pure function of their key, so any reader can check a hit on its own.
std::string ValueFor(int i, size_t size) { return test::RandomBytes(size, 1000 + i); }

class LmdbBlockCacheTest : public ::testing::Test {
 protected:
  LmdbBlockCacheOptions Options(uint64_t capacity = 8 << 20) {
    LmdbBlockCacheOptions o;
    o.dir = dir_.Join("cache");
    o.store_uuid.fill(7);
    o.capacity_bytes = capacity;
    o.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(line);
    };
    return o;
  }
  std::unique_ptr<LmdbBlockCache> OpenCache(const LmdbBlockCacheOptions& o) {
    auto cache = LmdbBlockCache::Open(o);
    EXPECT_TRUE(cache.ok()) << cache.status().message();
    return cache.ok() ? std::move(cache).value() : nullptr;
  }
  std::string DataFile() const { return dir_.Join("cache/data.mdb"); }
  size_t LogLines() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_.size();
  }
  std::string LastLog() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_.empty() ? "" : log_.back();
  }

  test::TempDir dir_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(LmdbBlockCacheTest, PutThenGetRoundTrips) {
  auto cache = OpenCache(Options());
  ASSERT_NE(cache, nullptr);
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  const std::vector<size_t> sizes = {0, 1, 100, 2000, 4096, 70000, 131072};
  for (size_t i = 0; i < sizes.size(); i++) cache->Put(Key(i), ValueFor(i, sizes[i]));
  cache->Flush();
  for (size_t i = 0; i < sizes.size(); i++) {
    auto got = cache->Get(Key(i));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(*got, ValueFor(i, sizes[i])) << i;
  }
  EXPECT_FALSE(cache->Get("absent").has_value());
  BlockCacheStats s = cache->Stats();
  EXPECT_EQ(s.hits, sizes.size());
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.stored, sizes.size());
  EXPECT_EQ(s.damaged, 0u);
  EXPECT_GT(s.used_bytes, 70000u + 131072u);
}

// Any range of a value reads back as those bytes of it, within a segment or across several; a range past
// the end is a miss, not a short read.
TEST_F(LmdbBlockCacheTest, RangesReadAsTheirBytes) {
  auto cache = OpenCache(Options());
  ASSERT_NE(cache, nullptr);
  const std::string value = ValueFor(9, 70000);
  cache->Put(Key(9), value);
  cache->Flush();
  for (auto [offset, n] : {std::pair<uint64_t, uint64_t>{0, 4096},
                           {16380, 10},
                           {20000, 40000},
                           {65536, 4464},
                           {69999, 1},
                           {70000, 0}}) {
    auto got = cache->GetRange(Key(9), offset, n);
    ASSERT_TRUE(got.has_value()) << offset;
    EXPECT_EQ(*got, value.substr(offset, n)) << offset;
  }
  auto tail = cache->GetRange(Key(9), 60000, kCacheToEnd);
  ASSERT_TRUE(tail.has_value());
  EXPECT_EQ(*tail, value.substr(60000));
  EXPECT_FALSE(cache->GetRange(Key(9), 69999, 2).has_value());
  EXPECT_FALSE(cache->GetRange(Key(9), 70001, 0).has_value());
  EXPECT_EQ(cache->Stats().damaged, 0u);
}

TEST_F(LmdbBlockCacheTest, SurvivesReopenWithoutExplicitFlush) {
  {
    auto cache = OpenCache(Options());
    ASSERT_NE(cache, nullptr);
    for (int i = 0; i < 20; i++) cache->Put(Key(i), ValueFor(i, 5000));
  }  // the destructor writes what is queued
  auto cache = OpenCache(Options());
  ASSERT_NE(cache, nullptr);
  for (int i = 0; i < 20; i++) {
    auto got = cache->Get(Key(i));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(*got, ValueFor(i, 5000));
  }
  EXPECT_EQ(LogLines(), 0u);
}

TEST_F(LmdbBlockCacheTest, EvictionKeepsTheFileUnderTheCapacity) {
  const uint64_t capacity = 4 << 20;
  auto cache = OpenCache(Options(capacity));
  ASSERT_NE(cache, nullptr);
  const int n = 400;  // 400 x 64 KiB = 25 MiB through a 4 MiB cache
  for (int i = 0; i < n; i++) {
    cache->Put(Key(i), ValueFor(i, 65536));
    if (i % 4 == 3) cache->Flush();
    ASSERT_LE(std::filesystem::file_size(DataFile()), capacity) << "after " << i << " puts";
  }
  cache->Flush();
  BlockCacheStats s = cache->Stats();
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.stored, static_cast<uint64_t>(n));
  EXPECT_GT(s.evicted, static_cast<uint64_t>(n) / 2);
  EXPECT_LE(s.used_bytes, capacity);
  // The newest entries are there and exact; the oldest are gone.
  for (int i = n - 5; i < n; i++) {
    auto got = cache->Get(Key(i));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(*got, ValueFor(i, 65536));
  }
  EXPECT_FALSE(cache->Get(Key(0)).has_value());
  EXPECT_EQ(LogLines(), 0u) << LastLog();
}

TEST_F(LmdbBlockCacheTest, EvictsLeastRecentlyUsedFirst) {
  auto cache = OpenCache(Options(4 << 20));
  ASSERT_NE(cache, nullptr);
  cache->Put(Key(0), ValueFor(0, 65536));
  cache->Put(Key(1), ValueFor(1, 65536));
  cache->Flush();
  for (int i = 2; i < 200; i++) {
    ASSERT_TRUE(cache->Get(Key(0)).has_value()) << "read " << i;  // keeps key 0 recent
    cache->Put(Key(i), ValueFor(i, 65536));
    cache->Flush();
  }
  EXPECT_GT(cache->Stats().evicted, 0u);
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  auto got = cache->Get(Key(0));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, ValueFor(0, 65536));
}

// Finds `needle` in the file and XORs one byte of it in place.
void FlipByteOf(const std::string& file, const std::string& needle, size_t at) {
  std::string bytes = test::ReadFile(file);
  size_t pos = bytes.find(needle);
  ASSERT_NE(pos, std::string::npos);
  ASSERT_EQ(bytes.find(needle, pos + 1), std::string::npos);
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(pos + at));
  char c = static_cast<char>(bytes[pos + at] ^ 0x20);
  f.write(&c, 1);
  ASSERT_TRUE(f.good());
}

TEST_F(LmdbBlockCacheTest, FlippedByteInAValueIsAMissNeverWrongBytes) {
  const std::string good = ValueFor(1, 40000);
  {
    auto cache = OpenCache(Options());
    ASSERT_NE(cache, nullptr);
    cache->Put(Key(1), good);
    cache->Put(Key(2), ValueFor(2, 300));
  }
  // Values are kept in segments, each with its check: the flipped byte lies in the first one.
  FlipByteOf(DataFile(), good.substr(0, kCacheSegmentSize), 1234);
  auto cache = OpenCache(Options());
  ASSERT_NE(cache, nullptr);
  // A read of other segments checks only those, and finds them intact.
  auto later = cache->GetRange(Key(1), 20000, 4096);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(*later, good.substr(20000, 4096));
  EXPECT_EQ(cache->Stats().damaged, 0u);
  EXPECT_FALSE(cache->GetRange(Key(1), 1000, 400).has_value());
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  BlockCacheStats s = cache->Stats();
  EXPECT_GE(s.damaged, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(LogLines(), 1u);
  EXPECT_NE(LastLog().find("checksum"), std::string::npos) << LastLog();
  cache->Flush();  // the damaged entry is deleted: now a plain miss
  const uint64_t damaged = cache->Stats().damaged;
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  EXPECT_EQ(cache->Stats().damaged, damaged);
  auto other = cache->Get(Key(2));  // its neighbour is untouched
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(*other, ValueFor(2, 300));
  cache->Put(Key(1), good);
  cache->Flush();
  auto again = cache->Get(Key(1));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, good);
}

TEST_F(LmdbBlockCacheTest, FlippedByteInAShortValueOrItsChecksumIsAMiss) {
  const std::string good = ValueFor(3, 64);
  for (size_t at : {size_t{0}, size_t{63}}) {
    {
      auto cache = OpenCache(Options());
      ASSERT_NE(cache, nullptr);
      cache->Put(Key(3), good);
    }
    FlipByteOf(DataFile(), good, at);
    auto cache = OpenCache(Options());
    ASSERT_NE(cache, nullptr);
    EXPECT_FALSE(cache->Get(Key(3)).has_value()) << at;
    cache->Flush();
  }
}

TEST_F(LmdbBlockCacheTest, GarbageDataFileIsRebuilt) {
  std::filesystem::create_directories(dir_.Join("cache"));
  test::WriteFile(DataFile(), test::RandomBytes(1 << 20, 5));
  auto cache = OpenCache(Options());
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(LogLines(), 1u);
  EXPECT_NE(LastLog().find("rebuilding"), std::string::npos) << LastLog();
  cache->Put(Key(1), ValueFor(1, 1000));
  cache->Flush();
  auto got = cache->Get(Key(1));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, ValueFor(1, 1000));
}

// Damages each page of a populated cache in turn (garbage, zeros, one flipped byte), over several page
// layouts: opening never fails or crashes, every Get returns the exact value or nothing, and writing
// still works or is given up cleanly. Each case runs in a child, so a crash fails the case instead of
// ending the run. In layouts 21, 27 and 48 a damaged main database lost a name, which opening then created
// again through the damaged page; in layout 21 a flipped byte also broke a leaf's bounds, which LMDB's
// reads never notice but an insert trusts. STRATA_CACHE_DAMAGE_LAYOUTS=N tries N more layouts.
TEST_F(LmdbBlockCacheTest, AnyDamagedPageNeverYieldsWrongBytesOrCrashes) {
  std::vector<unsigned> layouts = {0, 21, 27, 48};
  if (const char* more = getenv("STRATA_CACHE_DAMAGE_LAYOUTS")) {
    for (unsigned i = 0; i < static_cast<unsigned>(atoi(more)); i++) layouts.push_back(1000 + i);
  }
  for (unsigned layout : layouts) {
    std::filesystem::remove_all(dir_.Join("cache"));
    std::mt19937 rng(layout);
    const int n = 20 + static_cast<int>(rng() % 100);
    std::vector<size_t> sizes;
    {
      auto cache = OpenCache(Options());
      ASSERT_NE(cache, nullptr);
      for (int i = 0; i < n; i++) {
        sizes.push_back(rng() % 3 == 0 ? 10 + rng() % 200 : 100 + rng() % 9000);
        cache->Put(Key(i), ValueFor(i, sizes.back()));
        if (rng() % 4 == 0) cache->Flush();  // commits at varied points make varied page layouts
        if (rng() % 5 == 0) (void)cache->Get(Key(static_cast<int>(rng() % (i + 1))));
      }
    }
    {
      auto cache = OpenCache(Options());  // undamaged, the walk passes and every value is there
      ASSERT_NE(cache, nullptr);
      for (int i = 0; i < n; i++) EXPECT_EQ(cache->Get(Key(i)), ValueFor(i, sizes[i])) << "layout " << layout;
    }
    const std::string pristine = test::ReadFile(DataFile());
    const size_t page = 4096;
    ASSERT_EQ(pristine.size() % page, 0u);
    for (size_t p = 0; p < pristine.size() / page; p++) {
      for (int kind = 0; kind < 3; kind++) {
        std::string damaged = pristine;
        if (kind == 0) damaged.replace(p * page, page, test::RandomBytes(page, p + 7919 * layout));
        if (kind == 1) damaged.replace(p * page, page, std::string(page, '\0'));
        if (kind == 2) damaged[p * page + rng() % page] ^= static_cast<char>(1 + rng() % 255);
        test::WriteFile(DataFile(), damaged);
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
          auto cache = LmdbBlockCache::Open(Options());
          if (!cache.ok()) _exit(3);
          for (int round = 0; round < 2; round++) {
            for (int i = 0; i < n; i++) {
              auto got = (*cache)->Get(Key(i));
              if (got && *got != ValueFor(i, sizes[i])) _exit(2);
            }
            (*cache)->Put(Key(n + round), ValueFor(n, 5000));
            (*cache)->Put(Key(n + 2 + round), ValueFor(n, 50));
            (*cache)->Flush();
          }
          _exit(0);
        }
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "layout " << layout << ", page " << p << ", damage " << kind << ": "
            << (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                    : "exit " + std::to_string(WEXITSTATUS(status)));
      }
    }
  }
}

// An encrypted store's cache: values round trip, no value byte is in the file, and a cache opened with
// another store's keys (same uuid, as a damaged or swapped cache could be) reads nothing.
TEST_F(LmdbBlockCacheTest, EncryptedStoreValuesAreSealed) {
  auto cipher = StoreCipher::FromMasterKey(MasterKey::Generate().value()).value();
  auto other = StoreCipher::FromMasterKey(MasterKey::Generate().value()).value();
  const std::string marker = "plaintext-marker-that-must-not-be-in-the-cache-file";
  std::string value;
  while (value.size() < 20000) value += marker;
  auto o = Options();
  o.cipher = cipher.get();
  {
    auto cache = OpenCache(o);
    ASSERT_NE(cache, nullptr);
    cache->Put(Key(1), value);
    cache->Put(Key(2), marker);
    cache->Flush();
    EXPECT_EQ(cache->Get(Key(1)), value);
    EXPECT_EQ(cache->Get(Key(2)), marker);
  }
  EXPECT_EQ(test::ReadFile(DataFile()).find("plaintext-marker"), std::string::npos);
  {
    auto cache = OpenCache(o);
    EXPECT_EQ(cache->Get(Key(1)), value);  // survives a reopen
  }
  o.cipher = other.get();
  auto cache = OpenCache(o);
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  EXPECT_FALSE(cache->Get(Key(2)).has_value());
  EXPECT_EQ(cache->Stats().damaged, 2u);
}

// Rewrites the meta record through LMDB directly, as another strata version or store would have left it.
void PatchMeta(const std::string& dir, size_t offset, const std::string& bytes) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 4), 0);
  ASSERT_EQ(mdb_env_set_mapsize(env, 8 << 20), 0);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0600), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi dbi;
  ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
  std::string key = "meta";
  MDB_val k{key.size(), key.data()}, v;
  ASSERT_EQ(mdb_get(txn, dbi, &k, &v), 0);
  std::string meta(static_cast<const char*>(v.mv_data), v.mv_size);
  meta.replace(offset, bytes.size(), bytes);
  MDB_val nv{meta.size(), meta.data()};
  ASSERT_EQ(mdb_put(txn, dbi, &k, &nv, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST_F(LmdbBlockCacheTest, OtherFormatVersionOrStoreIsRebuilt) {
  struct Case {
    const char* name;
    size_t offset;
    std::string bytes;
    const char* logged;
  };
  const std::vector<Case> cases = {
      {"version 4", 8, test::Bytes({4, 0, 0, 0}), "format version 4"},
      {"version 6", 8, test::Bytes({6, 0, 0, 0}), "format version 6"},
      {"other store", 12, std::string(16, 'x'), "another store"},
      {"bad magic", 0, "XXXXXXXX", "bad meta record"},
  };
  for (const Case& c : cases) {
    std::filesystem::remove_all(dir_.Join("cache"));
    log_.clear();
    {
      auto cache = OpenCache(Options());
      ASSERT_NE(cache, nullptr);
      cache->Put(Key(1), ValueFor(1, 1000));
    }
    PatchMeta(dir_.Join("cache"), c.offset, c.bytes);
    auto cache = OpenCache(Options());
    ASSERT_NE(cache, nullptr) << c.name;
    ASSERT_EQ(LogLines(), 1u) << c.name;
    EXPECT_NE(LastLog().find(c.logged), std::string::npos) << LastLog();
    EXPECT_FALSE(cache->Get(Key(1)).has_value()) << c.name << ": entries of a foreign cache are not trusted";
    cache->Put(Key(1), ValueFor(1, 1000));
    cache->Flush();
    EXPECT_TRUE(cache->Get(Key(1)).has_value()) << c.name;
  }
}

TEST_F(LmdbBlockCacheTest, SmallerCapacityThanTheFileRebuilds) {
  {
    auto cache = OpenCache(Options(8 << 20));
    ASSERT_NE(cache, nullptr);
    for (int i = 0; i < 60; i++) {
      cache->Put(Key(i), ValueFor(i, 65536));
      if (i % 4 == 3) cache->Flush();
    }
  }
  ASSERT_GT(std::filesystem::file_size(DataFile()), 2u << 20);
  auto cache = OpenCache(Options(2 << 20));
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(LogLines(), 1u);
  cache->Put(Key(1), ValueFor(1, 1000));
  cache->Flush();
  EXPECT_LE(std::filesystem::file_size(DataFile()), 2u << 20);
}

TEST_F(LmdbBlockCacheTest, UnusableDirectoryOrSizeIsAnError) {
  test::WriteFile(dir_.Join("file"), "x");
  LmdbBlockCacheOptions o = Options();
  o.dir = dir_.Join("file");
  EXPECT_FALSE(LmdbBlockCache::Open(o).ok());
  o.dir = dir_.Join("file/below");
  EXPECT_FALSE(LmdbBlockCache::Open(o).ok());
  o = Options(kMinBlockCacheBytes - 1);
  auto small = LmdbBlockCache::Open(o);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(LmdbBlockCacheTest, FullQueueDropsPuts) {
  // Room for the whole burst: with eviction in play, how many entries remain would depend on how many
  // puts the writer happened to keep up with.
  LmdbBlockCacheOptions o = Options(64 << 20);
  o.queue_bytes = 100 << 10;
  auto cache = OpenCache(o);
  ASSERT_NE(cache, nullptr);
  cache->Put(Key(1), ValueFor(1, 200 << 10));  // larger than the whole queue: always dropped
  cache->Flush();
  EXPECT_EQ(cache->Stats().dropped, 1u);
  EXPECT_FALSE(cache->Get(Key(1)).has_value());
  // A burst: every put is either stored or counted as dropped.
  const int n = 200;
  for (int i = 0; i < n; i++) cache->Put(Key(100 + i), ValueFor(100 + i, 30000));
  cache->Flush();
  BlockCacheStats s = cache->Stats();
  EXPECT_EQ(s.stored + s.dropped, static_cast<uint64_t>(n) + 1);
  int present = 0;
  for (int i = 0; i < n; i++) {
    if (auto got = cache->Get(Key(100 + i))) {
      EXPECT_EQ(*got, ValueFor(100 + i, 30000));
      present++;
    }
  }
  EXPECT_EQ(static_cast<uint64_t>(present), s.stored);
  EXPECT_EQ(s.evicted, 0u);
}

TEST_F(LmdbBlockCacheTest, ConcurrentReadersAndWriterSeeOnlyExactValues) {
  auto cache = OpenCache(Options(4 << 20));
  ASSERT_NE(cache, nullptr);
  const int keys = 64;
  std::atomic<int> wrong{0}, hits{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 3000; i++) {
        int k = static_cast<int>(rng() % keys);
        const std::string want = ValueFor(k, 1000 + 997 * k);
        if (auto got = cache->Get(Key(k))) {
          hits++;
          if (*got != want) wrong++;
        } else {
          cache->Put(Key(k), want);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(hits, 0);
  BlockCacheStats s = cache->Stats();
  EXPECT_EQ(s.hits + s.misses, 8u * 3000u);
  EXPECT_EQ(s.damaged, 0u);
}

}  // namespace
}  // namespace strata
