#include "store/delta_ops.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "store/coding.h"
#include "tests/store/delta_test_util.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using test::ApplyOps;
using Kind = DeltaOp::Kind;

// Builds librsync delta streams by hand, in any opcode width, valid or not.
class DeltaStream {
 public:
  DeltaStream() : bytes_("rs\x02\x36") {}

  // width 0: the immediate form, where the opcode is the length (1..64).
  DeltaStream& Literal(std::string_view data, int width) {
    Opcode(width == 0 ? static_cast<uint8_t>(data.size()) : 0x41 + WidthIndex(width));
    if (width != 0) BigEndian(data.size(), width);
    bytes_.append(data);
    return *this;
  }
  DeltaStream& Copy(uint64_t offset, uint64_t length, int offset_width, int length_width) {
    Opcode(0x45 + 4 * WidthIndex(offset_width) + WidthIndex(length_width));
    BigEndian(offset, offset_width);
    BigEndian(length, length_width);
    return *this;
  }
  DeltaStream& Opcode(uint8_t op) {
    opcodes_.push_back(op);
    bytes_.push_back(static_cast<char>(op));
    return *this;
  }
  DeltaStream& BigEndian(uint64_t v, int width) {
    for (int i = width - 1; i >= 0; i--) bytes_.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  DeltaStream& End() { return Opcode(0x00); }

  const std::string& str() const { return bytes_; }
  const std::vector<uint8_t>& opcodes() const { return opcodes_; }

 private:
  static int WidthIndex(int width) { return width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3; }
  std::string bytes_;
  std::vector<uint8_t> opcodes_;
};

struct Parsed {
  Status status;
  std::vector<DeltaOp> ops;
  std::string literals;
  uint64_t new_size = 0;
  uint64_t literal_size = 0;
};

// Parses `stream` whole, or split into random chunks of 1..max_chunk bytes when `rng` is given.
Parsed Parse(std::string_view stream, std::mt19937_64* rng = nullptr, size_t max_chunk = 1) {
  Parsed p;
  DeltaParser parser([&p](std::string_view bytes) {
    p.literals.append(bytes);
    return Status::Ok();
  });
  while (!stream.empty() && p.status.ok()) {
    size_t n = rng == nullptr ? stream.size() : std::min(stream.size(), 1 + (*rng)() % max_chunk);
    p.status = parser.Feed(stream.substr(0, n));
    stream.remove_prefix(n);
  }
  if (p.status.ok()) p.status = parser.Finish();
  p.ops = parser.ops();
  p.new_size = parser.new_size();
  p.literal_size = parser.literal_size();
  return p;
}

TEST(DeltaParserTest, EveryOpcodeWidthAgreesWithRdiffPatch) {
  test::TempDir dir;
  const std::string base = test::RandomBytes(70000, 1);
  const std::string lit = test::RandomBytes(400, 2);
  const int widths[] = {1, 2, 4, 8};
  const int literal_widths[] = {0, 1, 2, 4, 8};
  const size_t literal_lengths[] = {64, 200, 300, 5, 7};

  DeltaStream d;
  std::vector<DeltaOp> want;
  std::string want_literals;
  int n = 0;
  for (int ow : widths) {
    for (int lw : widths) {
      // Offsets that fit the narrowest width and never continue the previous COPY, so nothing merges.
      uint64_t offset = ow == 1 ? 3 * n : 1000 * n + 300;
      uint64_t length = lw == 1 ? 1 + n : 300 + n;
      d.Copy(offset, length, ow, lw);
      want.push_back({Kind::kCopy, offset, length});
      size_t k = n % 5;
      std::string_view data = std::string_view(lit).substr(n, literal_lengths[k]);
      d.Literal(data, literal_widths[k]);
      want.push_back({Kind::kLiteral, want_literals.size(), data.size()});
      want_literals.append(data);
      n++;
    }
  }
  d.Literal("x", 0);  // the shortest immediate form; merges into the literal before it
  want.back().length++;
  want_literals += "x";
  d.End();

  std::vector<uint8_t> copy_ops;
  for (uint8_t op : d.opcodes()) {
    if (op >= 0x45) copy_ops.push_back(op);
  }
  std::vector<uint8_t> all_copy_ops;
  for (int op = 0x45; op <= 0x54; op++) all_copy_ops.push_back(static_cast<uint8_t>(op));
  EXPECT_EQ(copy_ops, all_copy_ops);
  for (uint8_t op : {0x01, 0x40, 0x41, 0x42, 0x43, 0x44}) {
    EXPECT_NE(std::find(d.opcodes().begin(), d.opcodes().end(), op), d.opcodes().end()) << int{op};
  }

  Parsed p = Parse(d.str());
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  EXPECT_EQ(p.ops, want);
  EXPECT_EQ(p.literals, want_literals);
  EXPECT_EQ(p.literal_size, want_literals.size());
  std::string rebuilt = ApplyOps(base, p.ops, p.literals);
  EXPECT_EQ(p.new_size, rebuilt.size());

  test::WriteFile(dir.Join("base"), base);
  test::WriteFile(dir.Join("delta"), d.str());
  ASSERT_TRUE(
      test::Shell("rdiff -f patch " + dir.Join("base") + " " + dir.Join("delta") + " " + dir.Join("out")));
  EXPECT_TRUE(test::ReadFile(dir.Join("out")) == rebuilt);
}

TEST(DeltaParserTest, MergesOpsThatContinueEachOther) {
  DeltaStream d;
  d.Copy(0, 10, 1, 1).Copy(10, 5, 2, 4);   // continues: one COPY
  d.Literal("abc", 0).Literal("defg", 1);  // consecutive: one LITERAL
  d.Copy(100, 5, 1, 1).Copy(50, 5, 1, 1);  // backwards: two COPYs
  d.Copy(55, 1, 1, 1);                     // continues the one before
  d.Literal("h", 0).End();
  Parsed p = Parse(d.str());
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  std::vector<DeltaOp> want = {{Kind::kCopy, 0, 15},
                               {Kind::kLiteral, 0, 7},
                               {Kind::kCopy, 100, 5},
                               {Kind::kCopy, 50, 6},
                               {Kind::kLiteral, 7, 1}};
  EXPECT_EQ(p.ops, want);
  EXPECT_EQ(p.literals, "abcdefgh");
  EXPECT_EQ(p.new_size, 15u + 7 + 5 + 6 + 1);
  EXPECT_EQ(p.literal_size, 8u);
}

TEST(DeltaParserTest, EmptyDelta) {
  Parsed p = Parse(DeltaStream().End().str());
  ASSERT_TRUE(p.status.ok());
  EXPECT_TRUE(p.ops.empty());
  EXPECT_EQ(p.new_size, 0u);
}

TEST(DeltaParserTest, CorruptStreamsAreCorruptionWholeOrByteByByte) {
  const uint64_t kTopBit = uint64_t{1} << 63;
  struct Case {
    const char* name;
    std::string bytes;
  };
  std::vector<Case> cases = {
      {"empty", ""},
      {"short magic", "rs\x02"},
      {"signature magic", std::string("rs\x01G\x00", 5)},
      {"reserved 0x55", DeltaStream().Opcode(0x55).End().str()},
      {"reserved 0x80", DeltaStream().Opcode(0x80).End().str()},
      {"reserved 0xff", DeltaStream().Opcode(0xff).End().str()},
      {"zero LITERAL_N1", DeltaStream().Literal("", 1).End().str()},
      {"zero LITERAL_N8", DeltaStream().Literal("", 8).End().str()},
      {"zero COPY", DeltaStream().Copy(5, 0, 1, 1).End().str()},
      {"zero COPY N8", DeltaStream().Copy(0, 0, 8, 8).End().str()},
      {"truncated COPY params", DeltaStream().Opcode(0x4a).BigEndian(1, 2).str()},
      {"truncated LITERAL length", DeltaStream().Opcode(0x43).BigEndian(0, 3).str()},
      {"truncated LITERAL data", DeltaStream().Opcode(0x05).str() + "abc"},
      {"no END", DeltaStream().Copy(0, 4, 1, 1).str()},
      {"bytes after END", DeltaStream().Copy(0, 4, 1, 1).End().str() + "x"},
      {"END after END", DeltaStream().End().End().str()},
      {"negative COPY length", DeltaStream().Copy(0, kTopBit, 1, 8).End().str()},
      {"negative COPY offset", DeltaStream().Copy(kTopBit, 1, 8, 1).End().str()},
      {"COPY end overflows", DeltaStream().Copy(INT64_MAX, 1, 8, 1).End().str()},
      {"negative LITERAL length", DeltaStream().Opcode(0x44).BigEndian(UINT64_MAX, 8).str() + "abc"},
      {"huge LITERAL", DeltaStream().Opcode(0x44).BigEndian(kTopBit, 8).str()},
      {"file size overflows", DeltaStream().Copy(0, INT64_MAX - 10, 1, 8).Copy(0, 11, 1, 1).End().str()},
  };
  for (const Case& c : cases) {
    Parsed whole = Parse(c.bytes);
    EXPECT_TRUE(whole.status.IsCorruption()) << c.name << ": " << whole.status.message();
    EXPECT_FALSE(whole.status.message().empty()) << c.name;
    std::mt19937_64 rng(7);
    Parsed split = Parse(c.bytes, &rng, 1);
    EXPECT_TRUE(split.status.IsCorruption()) << c.name << " (byte by byte)";
    EXPECT_EQ(split.status.message(), whole.status.message()) << c.name;
  }
}

TEST(DeltaParserTest, FirstErrorIsSticky) {
  DeltaParser parser([](std::string_view) { return Status::Ok(); });
  Status first = parser.Feed(DeltaStream().Opcode(0x99).str());
  ASSERT_TRUE(first.IsCorruption());
  Status again = parser.Feed(std::string(1, '\0'));
  EXPECT_EQ(again.message(), first.message());
  EXPECT_EQ(parser.Finish().message(), first.message());
}

TEST(DeltaParserTest, LiteralSinkErrorIsReturnedUnchanged) {
  DeltaParser parser([](std::string_view) { return Status::Cancelled("sink full"); });
  Status s = parser.Feed(DeltaStream().Literal("abc", 0).End().str());
  EXPECT_EQ(s.code(), Status::Code::kCancelled);
  EXPECT_EQ(parser.Finish().code(), Status::Code::kCancelled);
}

// A random valid delta using every opcode form, with parameters in non-minimal widths too.
std::string RandomDelta(std::mt19937_64& rng, int ops) {
  const int widths[] = {1, 2, 4, 8};
  DeltaStream d;
  std::string lit = test::RandomBytes(300, rng());
  for (int i = 0; i < ops; i++) {
    if (rng() % 2 == 0) {
      int ow = widths[rng() % 4];
      int lw = widths[rng() % 4];
      uint64_t max_offset = ow >= 4 ? 1u << 20 : (uint64_t{1} << (8 * ow)) - 1;
      uint64_t max_length = lw >= 4 ? 1u << 20 : (uint64_t{1} << (8 * lw)) - 1;
      d.Copy(rng() % (max_offset + 1), 1 + rng() % max_length, ow, lw);
    } else {
      int width = rng() % 5 == 0 ? 0 : widths[rng() % 4];
      size_t len = 1 + rng() % (width == 0 ? 64 : width == 1 ? 255 : 300);
      d.Literal(std::string_view(lit).substr(0, len), width);
    }
  }
  return d.End().str();
}

TEST(DeltaParserTest, ChunkSplitsDoNotChangeTheResult) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 20; round++) {
    std::string stream = RandomDelta(rng, 200);
    Parsed whole = Parse(stream);
    ASSERT_TRUE(whole.status.ok()) << whole.status.message();
    for (size_t max_chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{64}, size_t{1000}}) {
      Parsed split = Parse(stream, &rng, max_chunk);
      ASSERT_TRUE(split.status.ok()) << split.status.message();
      EXPECT_EQ(split.ops, whole.ops);
      EXPECT_EQ(split.literals, whole.literals);
      EXPECT_EQ(split.new_size, whole.new_size);
    }
  }
}

TEST(SignatureHeaderTest, Parses) {
  EXPECT_TRUE(ParseSignatureHeader(std::string(11, 'x')).status().IsCorruption());
  auto h = ParseSignatureHeader(std::string("rs\x01G\x00\x00\x10\x00\x00\x00\x00\x10", 12));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->magic, 0x72730147u);
  EXPECT_EQ(h->block_len, 4096u);
  EXPECT_EQ(h->strong_len, 16u);
}

// Checks what DecodeOps promises about its output.
void ExpectValidOps(const std::vector<DeltaOp>& ops, uint64_t new_size, uint64_t base_size,
                    uint64_t literal_size) {
  uint64_t produced = 0;
  uint64_t literal_pos = 0;
  for (const DeltaOp& op : ops) {
    ASSERT_GT(op.length, 0u);
    if (op.kind == Kind::kCopy) {
      ASSERT_LE(op.src_offset, base_size);
      ASSERT_LE(op.length, base_size - op.src_offset);
    } else {
      ASSERT_EQ(op.src_offset, literal_pos);
      literal_pos += op.length;
    }
    produced += op.length;
  }
  EXPECT_EQ(produced, new_size);
  EXPECT_EQ(literal_pos, literal_size);
}

struct OpList {
  std::vector<DeltaOp> ops;
  uint64_t new_size = 0;
  uint64_t base_size = 0;
  uint64_t literal_size = 0;
};

OpList RandomOps(std::mt19937_64& rng, int count, uint64_t base_size) {
  OpList l;
  l.base_size = base_size;
  for (int i = 0; i < count; i++) {
    uint64_t length = 1 + rng() % 5000;
    if (rng() % 2 == 0 && base_size >= length) {
      l.ops.push_back({Kind::kCopy, rng() % (base_size - length + 1), length});
    } else {
      l.ops.push_back({Kind::kLiteral, l.literal_size, length});
      l.literal_size += length;
    }
    l.new_size += length;
  }
  return l;
}

TEST(OpCodingTest, RoundTrips) {
  std::mt19937_64 rng(5);
  for (uint64_t base_size : {uint64_t{0}, uint64_t{1}, uint64_t{100000}, uint64_t{1} << 62}) {
    for (int count : {0, 1, 2, 500}) {
      OpList l = RandomOps(rng, count, base_size);
      std::string enc;
      EncodeOps(l.ops, &enc);
      auto dec = DecodeOps(enc, l.new_size, l.base_size, l.literal_size);
      ASSERT_TRUE(dec.ok()) << dec.status().message();
      EXPECT_EQ(*dec, l.ops);
    }
  }
  // A COPY running to the very end of the largest basis rdiff could describe.
  std::vector<DeltaOp> edge = {{Kind::kCopy, INT64_MAX - 1, 1}, {Kind::kCopy, 0, 1}};
  std::string enc;
  EncodeOps(edge, &enc);
  auto dec = DecodeOps(enc, 2, INT64_MAX, 0);
  ASSERT_TRUE(dec.ok()) << dec.status().message();
  EXPECT_EQ(*dec, edge);
}

TEST(OpCodingTest, RejectsInvalidRecords) {
  auto encode = [](std::vector<DeltaOp> ops) {
    std::string s;
    EncodeOps(ops, &s);
    return s;
  };
  std::string copy10 = encode({{Kind::kCopy, 0, 10}});
  std::string lit10 = encode({{Kind::kLiteral, 0, 10}});
  struct Case {
    const char* name;
    std::string enc;
    uint64_t new_size, base_size, literal_size;
  };
  std::string zero_length;
  PutVarint64(&zero_length, 0);
  PutVarsint64(&zero_length, 0);
  std::string backwards;
  PutVarint64(&backwards, 10 << 1);
  PutVarsint64(&backwards, -1);
  std::vector<Case> cases = {
      {"zero length", zero_length, 0, 100, 0},
      {"covers too little", copy10, 11, 100, 0},
      {"covers too much", copy10, 9, 100, 0},
      {"COPY past basis", copy10, 10, 9, 0},
      {"COPY before 0 wraps", backwards, 10, UINT64_MAX, 0},
      {"LITERAL past stream", lit10, 10, 0, 9},
      {"literal stream not used up", lit10, 10, 0, 11},
      {"truncated COPY offset", copy10.substr(0, 1), 10, 100, 0},
      {"truncated varint", std::string("\x80", 1), 10, 100, 0},
      {"trailing byte", copy10 + '\x00', 10, 100, 0},
      {"empty record, nonempty file", "", 1, 100, 0},
  };
  for (const Case& c : cases) {
    auto r = DecodeOps(c.enc, c.new_size, c.base_size, c.literal_size);
    EXPECT_TRUE(r.status().IsCorruption()) << c.name;
  }
}

TEST(OpCodingTest, GarbageAndMutationsNeverCrash) {
  std::mt19937_64 rng(99);
  const uint64_t sizes[] = {0, 1, 10, 1000, UINT64_MAX};
  int accepted = 0;
  auto check = [&](const std::string& enc) {
    uint64_t new_size = sizes[rng() % 5];
    uint64_t base_size = sizes[rng() % 5];
    uint64_t literal_size = sizes[rng() % 5];
    auto r = DecodeOps(enc, new_size, base_size, literal_size);
    if (r.ok()) {
      accepted++;
      ExpectValidOps(*r, new_size, base_size, literal_size);
    } else {
      EXPECT_TRUE(r.status().IsCorruption());
    }
  };
  for (int i = 0; i < 20000; i++) check(test::RandomBytes(rng() % 40, rng()));
  for (int i = 0; i < 2000; i++) {
    OpList l = RandomOps(rng, 1 + rng() % 20, 1000);
    std::string enc;
    EncodeOps(l.ops, &enc);
    test::MutateOnce(&enc, rng);
    auto r = DecodeOps(enc, l.new_size, l.base_size, l.literal_size);
    if (r.ok()) ExpectValidOps(*r, l.new_size, l.base_size, l.literal_size);
  }
  EXPECT_GT(accepted, 0);  // the empty input with new_size 0, at least
}

}  // namespace
}  // namespace strata
