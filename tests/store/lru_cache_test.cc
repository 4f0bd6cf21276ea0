#include "store/lru_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace strata {
namespace {

using Cache = LruCache<int, std::string>;

std::shared_ptr<const std::string> Val(const std::string& s) {
  return std::make_shared<const std::string>(s);
}

TEST(LruCacheTest, MissThenHit) {
  Cache c(100);
  EXPECT_EQ(c.Get(1), nullptr);
  c.Put(1, Val("one"), 10);
  auto v = c.Get(1);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, "one");
  EXPECT_EQ(c.Get(2), nullptr);
}

TEST(LruCacheTest, EvictsLeastRecentlyUsedByCharge) {
  Cache c(30);
  c.Put(1, Val("a"), 10);
  c.Put(2, Val("b"), 10);
  c.Put(3, Val("c"), 10);  // exactly at capacity: nothing evicted
  EXPECT_NE(c.Get(1), nullptr);
  EXPECT_NE(c.Get(2), nullptr);
  EXPECT_NE(c.Get(3), nullptr);
  // Use order now 3, 2, 1 (most recent first); touch 1 so 2 becomes the oldest.
  ASSERT_NE(c.Get(1), nullptr);
  c.Put(4, Val("d"), 10);
  EXPECT_EQ(c.Get(2), nullptr);
  EXPECT_NE(c.Get(1), nullptr);
  EXPECT_NE(c.Get(3), nullptr);
  EXPECT_NE(c.Get(4), nullptr);
  // A large charge evicts several.
  c.Put(5, Val("e"), 25);
  // used: 10+10+10+25 = 55 > 30: evict oldest (1, then 3, then 4) until <= 30.
  EXPECT_EQ(c.Get(1), nullptr);
  EXPECT_EQ(c.Get(3), nullptr);
  EXPECT_EQ(c.Get(4), nullptr);
  EXPECT_NE(c.Get(5), nullptr);
}

TEST(LruCacheTest, ReplacingAKeyUpdatesValueAndCharge) {
  Cache c(30);
  c.Put(1, Val("old"), 20);
  c.Put(2, Val("two"), 10);
  c.Put(1, Val("new"), 5);  // used 15 now, not 35
  ASSERT_NE(c.Get(1), nullptr);
  EXPECT_EQ(*c.Get(1), "new");
  EXPECT_NE(c.Get(2), nullptr);
  c.Put(3, Val("three"), 15);  // 30: still fits if the old charge was released
  EXPECT_NE(c.Get(1), nullptr);
  EXPECT_NE(c.Get(2), nullptr);
  EXPECT_NE(c.Get(3), nullptr);
}

TEST(LruCacheTest, OversizedValueIsKeptAlone) {
  Cache c(10);
  c.Put(1, Val("a"), 5);
  c.Put(2, Val("huge"), 100);
  EXPECT_EQ(c.Get(1), nullptr);
  ASSERT_NE(c.Get(2), nullptr);
  EXPECT_EQ(*c.Get(2), "huge");
  c.Put(3, Val("b"), 1);
  EXPECT_EQ(c.Get(2), nullptr);
  EXPECT_NE(c.Get(3), nullptr);
}

TEST(LruCacheTest, EvictedValueStaysAliveForHolders) {
  Cache c(10);
  c.Put(1, Val("held"), 10);
  std::shared_ptr<const std::string> held = c.Get(1);
  c.Put(2, Val("other"), 10);
  EXPECT_EQ(c.Get(1), nullptr);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(*held, "held");
  EXPECT_EQ(held.use_count(), 1);
}

TEST(LruCacheTest, StringKeys) {
  LruCache<std::string, int> c(2);
  c.Put("a", std::make_shared<const int>(1), 1);
  c.Put("b", std::make_shared<const int>(2), 1);
  c.Put("c", std::make_shared<const int>(3), 1);
  EXPECT_EQ(c.Get("a"), nullptr);
  EXPECT_EQ(*c.Get("b"), 2);
  EXPECT_EQ(*c.Get("c"), 3);
}

TEST(LruCacheTest, ConcurrentUseKeepsInvariants) {
  Cache c(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 5000; i++) {
        int key = (i * 7 + t) % 300;
        c.Put(key, Val(std::to_string(key)), 10);
        auto v = c.Get((key + 13) % 300);
        if (v) {
          ASSERT_EQ(*v, std::to_string((key + 13) % 300));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // At most 100 entries of charge 10 fit; whatever is there maps to its own value.
  int present = 0;
  for (int k = 0; k < 300; k++) {
    if (auto v = c.Get(k)) {
      present++;
      EXPECT_EQ(*v, std::to_string(k));
    }
  }
  EXPECT_LE(present, 100);
  EXPECT_GT(present, 0);
}

}  // namespace
}  // namespace strata
