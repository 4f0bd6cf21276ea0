#include "store/rsync_job.h"

#include <gtest/gtest.h>
#include <librsync.h>

#include <random>
#include <string>
#include <vector>

#include "store/extent_map.h"
#include "tests/store/delta_test_util.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using Kind = DeltaOp::Kind;

// Feeds `data` whole, or in random chunks of 1..max_chunk bytes when `rng` is given.
template <typename Builder>
Status FeedChunks(Builder& builder, std::string_view data, std::mt19937_64* rng, size_t max_chunk) {
  while (!data.empty()) {
    size_t n = rng == nullptr ? data.size() : std::min(data.size(), 1 + (*rng)() % max_chunk);
    STRATA_RETURN_IF_ERROR(builder.Update(data.substr(0, n)));
    data.remove_prefix(n);
  }
  return Status::Ok();
}

std::string Signature(std::string_view data, std::mt19937_64* rng = nullptr, size_t max_chunk = 1) {
  SignatureBuilder builder(ChooseBlockLength(data.size()));
  while (!data.empty()) {
    size_t n = rng == nullptr ? data.size() : std::min(data.size(), 1 + (*rng)() % max_chunk);
    builder.Update(data.substr(0, n));
    data.remove_prefix(n);
  }
  ObjectId unused;
  return builder.FinishSignature(&unused);
}

struct Delta {
  Status status;
  std::vector<DeltaOp> ops;
  std::string literals;
  std::string raw;
  uint64_t new_size = 0;
  uint64_t literal_size = 0;
};

Delta MakeDelta(std::string_view sig, std::string_view data, std::mt19937_64* rng = nullptr,
                size_t max_chunk = 1) {
  Delta d;
  auto builder = DeltaBuilder::Create(
      sig,
      [&d](std::string_view b) {
        d.literals.append(b);
        return Status::Ok();
      },
      [&d](std::string_view b) {
        d.raw.append(b);
        return Status::Ok();
      });
  if (!builder.ok()) {
    d.status = builder.status();
    return d;
  }
  d.status = FeedChunks(*builder, data, rng, max_chunk);
  if (d.status.ok()) d.status = builder->Finish();
  if (d.status.ok()) {
    d.ops = builder->ops();
    d.new_size = builder->new_size();
    d.literal_size = builder->literal_size();
  }
  return d;
}

struct Parsed {
  Status status;
  std::vector<DeltaOp> ops;
  std::string literals;
};

Parsed ParseDelta(std::string_view raw, std::mt19937_64* rng = nullptr, size_t max_chunk = 1) {
  Parsed p;
  DeltaParser parser([&p](std::string_view b) {
    p.literals.append(b);
    return Status::Ok();
  });
  while (!raw.empty() && p.status.ok()) {
    size_t n = rng == nullptr ? raw.size() : std::min(raw.size(), 1 + (*rng)() % max_chunk);
    p.status = parser.Feed(raw.substr(0, n));
    raw.remove_prefix(n);
  }
  if (p.status.ok()) p.status = parser.Finish();
  p.ops = parser.ops();
  return p;
}

// Checks one backup step against every oracle: the naive reading of our ops, the extent map composed from
// the base's map, `rdiff patch` of our raw delta, and `rdiff delta` + `rdiff patch` from our signature,
// whose delta our parser must read to the same ops. Returns the new version's map.
ExtentMap CheckStep(const test::TempDir& dir, const std::string& base, const ExtentMap& base_map,
                    test::PayloadStore* payloads, const std::string& next, std::mt19937_64* rng) {
  std::string sig = Signature(base, rng, 100000);
  Delta d = MakeDelta(sig, next, rng, 400000);
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.new_size, next.size());
  EXPECT_EQ(d.literal_size, d.literals.size());
  EXPECT_TRUE(test::ApplyOps(base, d.ops, d.literals) == next);

  ObjectId literal_id = test::IdOf(d.literals);
  (*payloads)[literal_id] = d.literals;
  auto map = ExtentMap::Compose(base_map, d.ops, literal_id);
  EXPECT_TRUE(map.ok()) << map.status().message();
  if (!map.ok()) return ExtentMap();
  EXPECT_TRUE(test::ReadAll(*map, *payloads) == next);

  auto path = [&](const char* name) { return dir.Join(name); };
  test::WriteFile(path("base"), base);
  test::WriteFile(path("new"), next);
  test::WriteFile(path("sig"), sig);
  test::WriteFile(path("ours.delta"), d.raw);
  // One shell for all three runs: forking the test process is slow under ASan.
  EXPECT_TRUE(test::Shell("rdiff -f patch " + path("base") + " " + path("ours.delta") + " " +
                          path("ours.out") + " && rdiff -f delta " + path("sig") + " " + path("new") + " " +
                          path("rdiff.delta") + " && rdiff -f patch " + path("base") + " " +
                          path("rdiff.delta") + " " + path("rdiff.out")));
  EXPECT_TRUE(test::ReadFile(path("ours.out")) == next);
  std::string rdiff_out = test::ReadFile(path("rdiff.out"));
  EXPECT_TRUE(rdiff_out == next);
  Parsed theirs = ParseDelta(test::ReadFile(path("rdiff.delta")));
  EXPECT_TRUE(theirs.status.ok()) << theirs.status.message();
  EXPECT_TRUE(test::ApplyOps(base, theirs.ops, theirs.literals) == rdiff_out);
  // Matching does not depend on buffer sizes once ops are merged, so both deltas say the same thing.
  EXPECT_EQ(theirs.ops, d.ops);
  return std::move(*map);
}

std::string Header(uint32_t magic, uint32_t block_len, uint32_t strong_len) {
  std::string h;
  for (uint32_t v : {magic, block_len, strong_len}) {
    for (int shift = 24; shift >= 0; shift -= 8) h.push_back(static_cast<char>(v >> shift));
  }
  return h;
}

TEST(DeltaBuilderTest, RejectsSignaturesWeDoNotWrite) {
  const uint32_t kMagic = RS_RK_BLAKE2_SIG_MAGIC;
  const std::string block(4 + kStrongLen, 'b');
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"empty", ""},
      {"short header", Header(kMagic, 1024, 16).substr(0, 11)},
      {"MD4", Header(RS_MD4_SIG_MAGIC, 1024, 16)},
      {"RK MD4", Header(RS_RK_MD4_SIG_MAGIC, 1024, 16)},
      {"delta magic", Header(RS_DELTA_MAGIC, 1024, 16)},
      {"block length 0", Header(kMagic, 0, 16)},
      {"block length 65537", Header(kMagic, 65537, 16)},
      {"block length 2^31", Header(kMagic, 1u << 31, 16)},
      {"strong length 0", Header(kMagic, 1024, 0)},
      {"strong length 32", Header(kMagic, 1024, 32) + std::string(36, 'x')},
      {"partial block", Header(kMagic, 1024, 16) + block + "xyz"},
      {"short block", Header(kMagic, 1024, 16) + block.substr(1)},
  };
  for (const auto& [name, sig] : cases) {
    Delta d = MakeDelta(sig, "some new data");
    EXPECT_TRUE(d.status.IsCorruption()) << name << ": " << d.status.message();
  }
}

TEST(DeltaBuilderTest, GarbageSignaturesNeverCrash) {
  std::mt19937_64 rng(11);
  const std::string real = Signature(test::RandomBytes(10000, 4));
  const std::string data = test::RandomBytes(5000, 5);
  int accepted = 0;
  for (int i = 0; i < 300; i++) {
    std::string sig;
    if (i % 3 == 0) {
      sig = test::RandomBytes(rng() % 100, rng());
    } else if (i % 3 == 1) {
      sig = Header(RS_RK_BLAKE2_SIG_MAGIC, 1 + rng() % 65536, kStrongLen) +
            test::RandomBytes(20 * (rng() % 50), rng());
    } else {
      sig = real;
      size_t pos = rng() % sig.size();
      sig[pos] = static_cast<char>(sig[pos] ^ (1 << (rng() % 8)));
    }
    Delta d = MakeDelta(sig, data);
    if (d.status.ok()) {
      accepted++;
      EXPECT_EQ(d.new_size, data.size());
    } else {
      EXPECT_TRUE(d.status.IsCorruption()) << d.status.message();
    }
  }
  EXPECT_GT(accepted, 100);  // random block sums are well-formed, just useless
}

TEST(DeltaBuilderTest, AcceptsOtherBlockLengths) {
  test::TempDir dir;
  std::string base = test::RandomBytes(300000, 6);
  std::string next = base.substr(0, 100000) + "inserted" + base.substr(100000);
  test::WriteFile(dir.Join("base"), base);
  for (int block_len : {512, 4096, 65536}) {
    ASSERT_TRUE(test::Shell("rdiff -f -b " + std::to_string(block_len) + " -S 16 signature " +
                            dir.Join("base") + " " + dir.Join("sig")));
    Delta d = MakeDelta(test::ReadFile(dir.Join("sig")), next);
    ASSERT_TRUE(d.status.ok()) << d.status.message();
    EXPECT_TRUE(test::ApplyOps(base, d.ops, d.literals) == next) << block_len;
  }
}

TEST(DeltaBuilderTest, SinkErrorsAndUseAfterFinish) {
  std::string sig = Signature("basis");
  auto failing = DeltaBuilder::Create(sig, [](std::string_view) { return Status::Cancelled("stop"); });
  ASSERT_TRUE(failing.ok());
  Status s = failing->Update("new contents");
  if (s.ok()) s = failing->Finish();
  EXPECT_EQ(s.code(), Status::Code::kCancelled);
  EXPECT_EQ(failing->Finish().code(), Status::Code::kCancelled);

  auto builder = DeltaBuilder::Create(sig, [](std::string_view) { return Status::Ok(); });
  ASSERT_TRUE(builder.ok());
  ASSERT_TRUE(builder->Finish().ok());
  EXPECT_EQ(builder->Update("x").code(), Status::Code::kInvalidArgument);
}

TEST(DeltaBuilderTest, EdgeCasesAgreeWithRdiff) {
  test::TempDir dir;
  const std::string r = test::RandomBytes(300000, 8);
  const std::string other = test::RandomBytes(200000, 9);
  struct Case {
    const char* name;
    std::string base, next;
  };
  const std::vector<Case> cases = {
      {"empty to empty", "", ""},
      {"empty to small", "", "hello"},
      {"empty to large", "", r},
      {"small to empty", "hello", ""},
      {"one byte, same", "a", "a"},
      {"below a block, changed", r.substr(0, 100), r.substr(0, 50) + "X" + r.substr(51, 49)},
      {"identical", r, r},
      {"unrelated", other, r.substr(0, 200000)},
      {"short basis repeated", r.substr(0, 1000), r.substr(0, 1000) + r.substr(0, 1000)},
      {"large basis, tiny new", r, r.substr(5000, 10)},
      {"exact blocks", r.substr(0, 8192), r.substr(1024, 4096) + r.substr(0, 1024)},
  };
  std::mt19937_64 rng(3);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    test::PayloadStore payloads;
    ObjectId base_id = test::IdOf(c.base);
    payloads[base_id] = c.base;
    ExtentMap map = CheckStep(dir, c.base, ExtentMap::Full(base_id, c.base.size()), &payloads, c.next, &rng);
    EXPECT_EQ(map.size(), c.next.size());
  }

  // Identical files are one COPY; unrelated ones and an empty basis, one LITERAL.
  Delta same = MakeDelta(Signature(r), r);
  EXPECT_EQ(same.ops, (std::vector<DeltaOp>{{Kind::kCopy, 0, r.size()}}));
  Delta unrelated = MakeDelta(Signature(other), r);
  EXPECT_EQ(unrelated.ops, (std::vector<DeltaOp>{{Kind::kLiteral, 0, r.size()}}));
  Delta from_empty = MakeDelta(Signature(""), r);  // one Update far larger than the input buffer
  EXPECT_EQ(from_empty.ops, (std::vector<DeltaOp>{{Kind::kLiteral, 0, r.size()}}));
  EXPECT_TRUE(from_empty.literals == r);
}

// One random edit of the kinds real files see.
void Edit(std::mt19937_64& rng, std::string* s) {
  auto pos = [&] { return static_cast<size_t>(rng() % (s->size() + 1)); };
  auto span = [&](size_t from) {
    return static_cast<size_t>(rng() % std::min<size_t>(5000, s->size() - from + 1));
  };
  switch (rng() % 7) {
    case 0:  // insert
      s->insert(pos(), test::RandomBytes(1 + rng() % 5000, rng()));
      break;
    case 1: {  // delete
      size_t p = pos();
      s->erase(p, span(p));
      break;
    }
    case 2: {  // overwrite in place
      size_t p = pos();
      size_t n = span(p);
      s->replace(p, n, test::RandomBytes(n, rng()));
      break;
    }
    case 3:  // append
      s->append(test::RandomBytes(1 + rng() % 20000, rng()));
      break;
    case 4:  // truncate
      s->resize(s->size() - span(0));
      break;
    case 5: {  // duplicate a region elsewhere
      size_t p = pos();
      std::string region = s->substr(p, span(p));
      s->insert(pos(), region);
      break;
    }
    case 6:  // flip one byte
      if (!s->empty()) (*s)[rng() % s->size()] ^= static_cast<char>(1 + rng() % 255);
      break;
  }
}

TEST(DeltaBuilderTest, FortyVersionChainAgreesWithRdiff) {
  test::TempDir dir;
  std::mt19937_64 rng(20240601);
  test::PayloadStore payloads;
  std::vector<std::string> versions = {test::RandomBytes(200000, 10)};
  ObjectId v0 = test::IdOf(versions[0]);
  payloads[v0] = versions[0];
  std::vector<ExtentMap> maps = {ExtentMap::Full(v0, versions[0].size())};
  for (int v = 1; v <= 40; v++) {
    SCOPED_TRACE("version " + std::to_string(v));
    std::string next = versions.back();
    for (int edits = 1 + rng() % 4; edits > 0; edits--) Edit(rng, &next);
    maps.push_back(CheckStep(dir, versions.back(), maps.back(), &payloads, next, &rng));
    versions.push_back(std::move(next));
    if (HasFailure()) return;
  }
  // Every version stays readable through its own map, at any range.
  for (size_t v = 0; v < versions.size(); v++) {
    for (int i = 0; i < 20; i++) {
      uint64_t off = rng() % (versions[v].size() + 1);
      uint64_t len = rng() % 70000;
      ASSERT_EQ(test::ReadExtents(maps[v], payloads, off, len), versions[v].substr(off, len)) << v;
    }
  }
  EXPECT_LE(maps.back().sources().size(), 41u);
}

TEST(DeltaBuilderTest, ParserIgnoresHowTheRealDeltaIsSplit) {
  std::mt19937_64 rng(12);
  std::string base = test::RandomBytes(100000, 13);
  std::string next = base;
  for (int i = 0; i < 20; i++) Edit(rng, &next);
  Delta d = MakeDelta(Signature(base), next);
  ASSERT_TRUE(d.status.ok());
  ASSERT_GT(d.ops.size(), 10u);
  for (size_t max_chunk : {size_t{1}, size_t{2}, size_t{5}, size_t{300}, size_t{70000}}) {
    Parsed p = ParseDelta(d.raw, &rng, max_chunk);
    ASSERT_TRUE(p.status.ok()) << p.status.message();
    EXPECT_EQ(p.ops, d.ops) << max_chunk;
    EXPECT_TRUE(p.literals == d.literals) << max_chunk;
  }
}

}  // namespace
}  // namespace strata
