#include "store/extent_map.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "store/coding.h"
#include "tests/store/delta_test_util.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using Kind = DeltaOp::Kind;

ObjectId Id(uint8_t n) {
  ObjectId id;
  id.bytes[0] = n;
  return id;
}

const ObjectId kA = Id(1);
const ObjectId kB = Id(2);
const ObjectId kC = Id(3);

std::vector<Extent> Extents(std::span<const Extent> s) { return {s.begin(), s.end()}; }

// v0 = 100 bytes of A; v1 = A[10,30) B[0,5) A[30,40).
ExtentMap V1() {
  auto m = ExtentMap::Compose(ExtentMap::Full(kA, 100),
                              {{Kind::kCopy, 10, 20}, {Kind::kLiteral, 0, 5}, {Kind::kCopy, 30, 10}}, kB);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return *m;
}

TEST(ExtentMapTest, Full) {
  ExtentMap empty = ExtentMap::Full(kA, 0);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.extents().empty());
  EXPECT_TRUE(empty.sources().empty());

  ExtentMap full = ExtentMap::Full(kA, 100);
  EXPECT_EQ(full.size(), 100u);
  EXPECT_EQ(full.sources(), std::vector<ObjectId>{kA});
  EXPECT_EQ(full.extents(), (std::vector<Extent>{{0, 100, 0, 0}}));
}

TEST(ExtentMapTest, ComposeMapsCopiesThroughTheBase) {
  ExtentMap v1 = V1();
  EXPECT_EQ(v1.size(), 35u);
  EXPECT_EQ(v1.sources(), (std::vector<ObjectId>{kA, kB}));
  EXPECT_EQ(v1.extents(), (std::vector<Extent>{{0, 20, 0, 10}, {20, 5, 1, 0}, {25, 10, 0, 30}}));

  // [15, 30) of v1 clips the first and last base extents it touches.
  auto v2 = ExtentMap::Compose(v1, {{Kind::kCopy, 15, 15}, {Kind::kLiteral, 0, 3}}, kC);
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  EXPECT_EQ(v2->sources(), (std::vector<ObjectId>{kA, kB, kC}));
  EXPECT_EQ(v2->extents(), (std::vector<Extent>{{0, 5, 0, 25}, {5, 5, 1, 0}, {10, 5, 0, 30}, {15, 3, 2, 0}}));
}

TEST(ExtentMapTest, ComposeMergesExtentsThatContinue) {
  auto m = ExtentMap::Compose(
      ExtentMap::Full(kA, 100),
      {{Kind::kCopy, 0, 10}, {Kind::kCopy, 10, 10}, {Kind::kCopy, 50, 5}, {Kind::kCopy, 55, 5}}, kB);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->extents(), (std::vector<Extent>{{0, 20, 0, 0}, {20, 10, 0, 50}}));
  EXPECT_EQ(m->sources(), std::vector<ObjectId>{kA});  // no literal, so B is not a source

  // Copying v1's pieces back in their original order restores one extent over A.
  auto back = ExtentMap::Compose(V1(), {{Kind::kCopy, 0, 20}, {Kind::kCopy, 25, 10}}, kC);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->extents(), (std::vector<Extent>{{0, 30, 0, 10}}));
}

TEST(ExtentMapTest, ComposeDropsUnusedSourcesAndSharesIdenticalPayloads) {
  auto only_b = ExtentMap::Compose(V1(), {{Kind::kCopy, 21, 3}}, kC);
  ASSERT_TRUE(only_b.ok());
  EXPECT_EQ(only_b->sources(), std::vector<ObjectId>{kB});
  EXPECT_EQ(only_b->extents(), (std::vector<Extent>{{0, 3, 0, 1}}));

  // The literal payload is A itself: A[10,15) then literal bytes A[15,19) form one extent.
  auto shared = ExtentMap::Compose(V1(), {{Kind::kCopy, 0, 5}, {Kind::kLiteral, 15, 4}}, kA);
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->sources(), std::vector<ObjectId>{kA});
  EXPECT_EQ(shared->extents(), (std::vector<Extent>{{0, 9, 0, 10}}));
}

TEST(ExtentMapTest, ComposeEmptyCases) {
  auto from_empty = ExtentMap::Compose(ExtentMap(), {{Kind::kLiteral, 0, 5}}, kB);
  ASSERT_TRUE(from_empty.ok());
  EXPECT_EQ(from_empty->extents(), (std::vector<Extent>{{0, 5, 0, 0}}));

  auto to_empty = ExtentMap::Compose(V1(), {}, kC);
  ASSERT_TRUE(to_empty.ok());
  EXPECT_EQ(to_empty->size(), 0u);
  EXPECT_TRUE(to_empty->sources().empty());
}

TEST(ExtentMapTest, ComposeRejectsBadOps) {
  ExtentMap base = ExtentMap::Full(kA, 100);
  const std::vector<std::vector<DeltaOp>> bad = {
      {{Kind::kCopy, 0, 0}},
      {{Kind::kLiteral, 0, 0}},
      {{Kind::kCopy, 95, 10}},
      {{Kind::kCopy, 101, 1}},
      {{Kind::kCopy, UINT64_MAX, 2}},
      {{Kind::kLiteral, UINT64_MAX, 1}},
      {{Kind::kLiteral, 0, UINT64_MAX}, {Kind::kLiteral, 0, 1}},
  };
  for (const auto& ops : bad) {
    EXPECT_TRUE(ExtentMap::Compose(base, ops, kB).status().IsCorruption());
  }
  EXPECT_TRUE(ExtentMap::Compose(ExtentMap(), {{Kind::kCopy, 0, 1}}, kB).status().IsCorruption());
}

TEST(ExtentMapTest, Lookup) {
  ExtentMap v1 = V1();  // extents [0,20) [20,25) [25,35)
  const auto& e = v1.extents();
  auto expect = [&](uint64_t off, uint64_t len, size_t first, size_t last) {
    EXPECT_EQ(Extents(v1.Lookup(off, len)), std::vector<Extent>(e.begin() + first, e.begin() + last))
        << off << "+" << len;
  };
  expect(0, 0, 0, 0);
  expect(0, 1, 0, 1);
  expect(19, 1, 0, 1);
  expect(19, 2, 0, 2);
  expect(20, 5, 1, 2);
  expect(24, 100, 1, 3);
  expect(34, UINT64_MAX, 2, 3);
  expect(0, UINT64_MAX, 0, 3);
  expect(35, 1, 0, 0);
  expect(UINT64_MAX, 1, 0, 0);
  EXPECT_TRUE(ExtentMap().Lookup(0, 10).empty());
}

// A random op list turning a `base_size`-byte file into one of roughly `target` bytes.
std::vector<DeltaOp> RandomOps(std::mt19937_64& rng, uint64_t base_size, uint64_t target,
                               uint64_t* literal_size) {
  std::vector<DeltaOp> ops;
  uint64_t produced = 0;
  *literal_size = 0;
  while (produced < target) {
    uint64_t length = 1 + rng() % 3000;
    if (rng() % 4 != 0 && base_size >= length) {
      ops.push_back({Kind::kCopy, rng() % (base_size - length + 1), length});
    } else {
      ops.push_back({Kind::kLiteral, *literal_size, length});
      *literal_size += length;
    }
    produced += length;
  }
  return ops;
}

TEST(ExtentMapTest, FiftyDeepChainReadsLikeTheNaiveModel) {
  std::mt19937_64 rng(2024);
  test::PayloadStore payloads;
  std::string content = test::RandomBytes(50000, 1);
  ObjectId v0 = test::IdOf(content);
  payloads[v0] = content;
  ExtentMap map = ExtentMap::Full(v0, content.size());
  for (int version = 1; version <= 50; version++) {
    uint64_t literal_size;
    std::vector<DeltaOp> ops = RandomOps(rng, content.size(), 30000 + rng() % 40000, &literal_size);
    std::string literals = test::RandomBytes(literal_size, rng());
    ObjectId id = test::IdOf(literals);
    payloads[id] = literals;
    std::string next = test::ApplyOps(content, ops, literals);

    auto composed = ExtentMap::Compose(map, ops, id);
    ASSERT_TRUE(composed.ok()) << composed.status().message();
    map = std::move(*composed);
    content = std::move(next);

    ASSERT_EQ(map.size(), content.size());
    ASSERT_TRUE(test::ReadAll(map, payloads) == content) << "version " << version;
    for (int i = 0; i < 50; i++) {
      uint64_t off = rng() % (content.size() + 10);
      uint64_t len = rng() % 5000;
      ASSERT_EQ(test::ReadExtents(map, payloads, off, len),
                content.substr(std::min<uint64_t>(off, content.size()), len));
    }
    std::string enc;
    map.Encode(&enc);
    auto dec = ExtentMap::Decode(enc);
    ASSERT_TRUE(dec.ok()) << dec.status().message();
    EXPECT_EQ(dec->extents(), map.extents());
    EXPECT_EQ(dec->sources(), map.sources());
  }
  EXPECT_LE(map.sources().size(), 51u);
}

std::string Encode(uint64_t size, const std::vector<ObjectId>& sources, const std::vector<Extent>& extents) {
  std::string s;
  PutVarint64(&s, size);
  PutVarint64(&s, sources.size());
  for (const ObjectId& id : sources) s.append(id.View());
  PutVarint64(&s, extents.size());
  for (const Extent& e : extents) {
    PutVarint64(&s, e.length);
    PutVarint64(&s, e.source);
    PutVarint64(&s, e.source_offset);
  }
  return s;
}

TEST(ExtentMapTest, EncodeDecodeRoundTrip) {
  for (const ExtentMap& m : {ExtentMap(), ExtentMap::Full(kA, 7), V1()}) {
    std::string enc;
    m.Encode(&enc);
    EXPECT_EQ(enc, Encode(m.size(), m.sources(), m.extents()));
    auto dec = ExtentMap::Decode(enc);
    ASSERT_TRUE(dec.ok()) << dec.status().message();
    EXPECT_EQ(dec->size(), m.size());
    EXPECT_EQ(dec->sources(), m.sources());
    EXPECT_EQ(dec->extents(), m.extents());
  }
}

TEST(ExtentMapTest, DecodeRejectsBrokenInvariants) {
  std::string huge_sources;
  PutVarint64(&huge_sources, 10);
  PutVarint64(&huge_sources, uint64_t{1} << 40);
  std::string huge_extents;
  PutVarint64(&huge_extents, 10);
  PutVarint64(&huge_extents, 0);
  PutVarint64(&huge_extents, UINT64_MAX);
  std::string valid = Encode(10, {kA}, {{0, 10, 0, 0}});
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"empty input", ""},
      {"duplicate source", Encode(10, {kA, kA}, {{0, 5, 0, 0}, {5, 5, 1, 5}})},
      {"unused source", Encode(10, {kA, kB}, {{0, 10, 0, 0}})},
      {"missing source", Encode(10, {kA}, {{0, 10, 1, 0}})},
      {"empty extent", Encode(10, {kA}, {{0, 0, 0, 0}, {0, 10, 0, 0}})},
      {"covers too little", Encode(10, {kA}, {{0, 5, 0, 0}})},
      {"covers too much", Encode(10, {kA}, {{0, 11, 0, 0}})},
      {"source range overflows", Encode(10, {kA}, {{0, 10, 0, UINT64_MAX - 5}})},
      {"source count too large", huge_sources},
      {"extent count too large", huge_extents},
      {"truncated", valid.substr(0, valid.size() - 1)},
      {"trailing bytes", valid + "x"},
      {"extents for an empty file", Encode(0, {kA}, {{0, 1, 0, 0}})},
  };
  for (const auto& [name, enc] : cases) {
    EXPECT_TRUE(ExtentMap::Decode(enc).status().IsCorruption()) << name;
  }
}

// Decode promises the class invariant; check it from the outside.
void ExpectInvariant(const ExtentMap& m) {
  uint64_t pos = 0;
  std::vector<bool> used(m.sources().size());
  for (const Extent& e : m.extents()) {
    ASSERT_EQ(e.offset, pos);
    ASSERT_GT(e.length, 0u);
    ASSERT_LT(e.source, m.sources().size());
    used[e.source] = true;
    pos += e.length;
  }
  EXPECT_EQ(pos, m.size());
  EXPECT_EQ(std::count(used.begin(), used.end(), false), 0);
}

TEST(ExtentMapTest, DecodeGarbageAndMutationsNeverCrash) {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 20000; i++) {
    auto r = ExtentMap::Decode(test::RandomBytes(rng() % 80, rng()));
    if (r.ok()) ExpectInvariant(*r);
  }
  std::string valid;
  V1().Encode(&valid);
  int accepted = 0;
  for (int i = 0; i < 20000; i++) {
    std::string enc = valid;
    for (int n = 1 + rng() % 3; n > 0; n--) {
      test::MutateOnce(&enc, rng);
      if (enc.empty()) enc = "x";
    }
    auto r = ExtentMap::Decode(enc);
    if (r.ok()) {
      accepted++;
      ExpectInvariant(*r);
    } else {
      EXPECT_TRUE(r.status().IsCorruption());
    }
  }
  EXPECT_GT(accepted, 0);  // flips inside source ids keep the map valid
}

}  // namespace
}  // namespace strata
