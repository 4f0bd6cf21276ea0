#include "store/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/testutil.h"

namespace strata {
namespace {

TEST(CodingTest, FixedEncodingsAreLittleEndian) {
  std::string s;
  PutFixed8(&s, 0xab);
  PutFixed32(&s, 0x01020304u);
  PutFixed64(&s, 0x1122334455667788ull);
  EXPECT_EQ(s, test::Bytes({0xab, 0x04, 0x03, 0x02, 0x01, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}));

  char buf[8];
  EncodeFixed32(buf, 0xdeadbeefu);
  EXPECT_EQ(std::string(buf, 4), test::Bytes({0xef, 0xbe, 0xad, 0xde}));
  EXPECT_EQ(DecodeFixed32(buf), 0xdeadbeefu);
  EncodeFixed64(buf, 0x8000000000000001ull);
  EXPECT_EQ(std::string(buf, 8), test::Bytes({0x01, 0, 0, 0, 0, 0, 0, 0x80}));
  EXPECT_EQ(DecodeFixed64(buf), 0x8000000000000001ull);
}

TEST(CodingTest, FixedRoundTripsAtEdgeValues) {
  const std::vector<uint64_t> values = {0,   1,          127,        128,        255,
                                        256, UINT32_MAX, 1ull << 32, UINT64_MAX, 1ull << 63};
  std::string s;
  for (uint64_t v : values) {
    PutFixed32(&s, static_cast<uint32_t>(v));
    PutFixed64(&s, v);
  }
  EXPECT_EQ(s.size(), values.size() * 12);
  Decoder d(s);
  for (uint64_t v : values) {
    uint32_t v32;
    uint64_t v64;
    ASSERT_TRUE(d.GetFixed32(&v32));
    ASSERT_TRUE(d.GetFixed64(&v64));
    EXPECT_EQ(v32, static_cast<uint32_t>(v));
    EXPECT_EQ(v64, v);
  }
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, VarintHandComputedEncodings) {
  struct Case {
    uint64_t value;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0, test::Bytes({0x00})},
      {1, test::Bytes({0x01})},
      {127, test::Bytes({0x7f})},
      {128, test::Bytes({0x80, 0x01})},
      {300, test::Bytes({0xac, 0x02})},
      {16383, test::Bytes({0xff, 0x7f})},
      {16384, test::Bytes({0x80, 0x80, 0x01})},
      {1ull << 32, test::Bytes({0x80, 0x80, 0x80, 0x80, 0x10})},
      {UINT64_MAX, test::Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
  };
  for (const Case& c : cases) {
    std::string s;
    PutVarint64(&s, c.value);
    EXPECT_EQ(s, c.bytes) << c.value;
    Decoder d(s);
    uint64_t v = 12345;
    ASSERT_TRUE(d.GetVarint64(&v)) << c.value;
    EXPECT_EQ(v, c.value);
    EXPECT_TRUE(d.done());
  }
}

TEST(CodingTest, VarintRoundTripsEveryPowerOfTwoNeighbourhood) {
  std::vector<uint64_t> values;
  for (int bit = 0; bit < 64; bit++) {
    uint64_t p = uint64_t{1} << bit;
    values.push_back(p - 1);
    values.push_back(p);
    values.push_back(p + 1);
  }
  values.push_back(UINT64_MAX);
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  Decoder d(s);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(d.GetVarint64(&got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, ZigZagHandComputedEncodings) {
  struct Case {
    int64_t value;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0, test::Bytes({0x00})},
      {-1, test::Bytes({0x01})},
      {1, test::Bytes({0x02})},
      {-2, test::Bytes({0x03})},
      {-64, test::Bytes({0x7f})},
      {64, test::Bytes({0x80, 0x01})},
      // INT64_MAX -> 2^64 - 2, INT64_MIN -> 2^64 - 1.
      {INT64_MAX, test::Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
      {INT64_MIN, test::Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
  };
  for (const Case& c : cases) {
    std::string s;
    PutVarsint64(&s, c.value);
    EXPECT_EQ(s, c.bytes) << c.value;
    Decoder d(s);
    int64_t v = 777;
    ASSERT_TRUE(d.GetVarsint64(&v)) << c.value;
    EXPECT_EQ(v, c.value);
    EXPECT_TRUE(d.done());
  }
}

TEST(CodingTest, ZigZagRoundTripsEdgeValues) {
  const std::vector<int64_t> values = {0,
                                       1,
                                       -1,
                                       127,
                                       -128,
                                       128,
                                       int64_t{1} << 32,
                                       -(int64_t{1} << 32),
                                       -1234567890123456789,  // a pre-1970 mtime_ns
                                       INT64_MAX,
                                       INT64_MIN,
                                       INT64_MIN + 1};
  for (int64_t v : values) {
    std::string s;
    PutVarsint64(&s, v);
    Decoder d(s);
    int64_t got;
    ASSERT_TRUE(d.GetVarsint64(&got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(d.done());
  }
}

TEST(CodingTest, TruncatedVarintFailsAtEveryPrefix) {
  for (uint64_t v : {uint64_t{128}, uint64_t{1} << 32, UINT64_MAX}) {
    std::string s;
    PutVarint64(&s, v);
    for (size_t len = 0; len < s.size(); len++) {
      Decoder d(std::string_view(s).substr(0, len));
      uint64_t got;
      EXPECT_FALSE(d.GetVarint64(&got)) << v << " prefix " << len;
      EXPECT_FALSE(d.ok());
      EXPECT_FALSE(d.done());
    }
  }
}

TEST(CodingTest, OverlongVarintsFail) {
  // Ten bytes whose last one carries more than the 64th bit.
  {
    std::string s(9, static_cast<char>(0xff));
    s.push_back(0x02);
    Decoder d(s);
    uint64_t v;
    EXPECT_FALSE(d.GetVarint64(&v));
  }
  // Eleven bytes: the tenth still has its continuation bit.
  {
    std::string s(10, static_cast<char>(0x80));
    s.push_back(0x00);
    Decoder d(s);
    uint64_t v;
    EXPECT_FALSE(d.GetVarint64(&v));
  }
  // An endless run of continuation bytes.
  {
    std::string s(64, static_cast<char>(0xff));
    Decoder d(s);
    uint64_t v;
    EXPECT_FALSE(d.GetVarint64(&v));
  }
  // The tenth byte may be 0x01 (the top bit).
  {
    std::string s(9, static_cast<char>(0x80));
    s.push_back(0x01);
    Decoder d(s);
    uint64_t v;
    ASSERT_TRUE(d.GetVarint64(&v));
    EXPECT_EQ(v, uint64_t{1} << 63);
  }
}

TEST(CodingTest, Varint32RejectsValuesAboveUint32) {
  std::string s;
  PutVarint64(&s, UINT32_MAX);
  PutVarint64(&s, uint64_t{UINT32_MAX} + 1);
  Decoder d(s);
  uint32_t v;
  ASSERT_TRUE(d.GetVarint32(&v));
  EXPECT_EQ(v, UINT32_MAX);
  EXPECT_FALSE(d.GetVarint32(&v));
  EXPECT_FALSE(d.ok());
}

TEST(CodingTest, FailureLatches) {
  std::string s(9, static_cast<char>(0xff));  // an overlong varint...
  s.push_back(0x02);
  PutFixed32(&s, 7);  // ...followed by bytes that would decode fine on their own
  Decoder d(s);
  uint64_t v;
  EXPECT_FALSE(d.GetVarint64(&v));
  EXPECT_EQ(d.remaining(), 4u);
  uint8_t b;
  uint32_t f;
  std::string_view sv;
  EXPECT_FALSE(d.ok());
  EXPECT_FALSE(d.GetFixed8(&b));
  EXPECT_FALSE(d.GetFixed32(&f));
  EXPECT_FALSE(d.GetBytes(0, &sv));
  EXPECT_FALSE(d.GetLengthPrefixed(&sv));
  EXPECT_FALSE(d.GetVarint64(&v));
  EXPECT_FALSE(d.done());
}

TEST(CodingTest, FailureLatchesAfterShortFixed) {
  std::string s = test::Bytes({1, 2, 3});
  Decoder d(s);
  uint32_t f;
  EXPECT_FALSE(d.GetFixed32(&f));
  uint8_t b;
  // Three bytes are still there, but the decoder has failed.
  EXPECT_FALSE(d.GetFixed8(&b));
  EXPECT_FALSE(d.ok());
}

TEST(CodingTest, FixedReadsFailWhenShort) {
  for (size_t len = 0; len < 8; len++) {
    std::string s(len, 'x');
    Decoder d(s);
    uint64_t v;
    EXPECT_FALSE(d.GetFixed64(&v)) << len;
  }
  {
    Decoder d("");
    uint8_t b;
    EXPECT_FALSE(d.GetFixed8(&b));
  }
}

TEST(CodingTest, LengthPrefixedHandComputedAndRoundTrip) {
  std::string s;
  PutLengthPrefixed(&s, "abc");
  PutLengthPrefixed(&s, "");
  std::string big(200, 'z');
  PutLengthPrefixed(&s, big);
  std::string expected = test::Bytes({0x03}) + "abc" + test::Bytes({0x00}) + test::Bytes({0xc8, 0x01}) + big;
  EXPECT_EQ(s, expected);

  Decoder d(s);
  std::string_view v;
  ASSERT_TRUE(d.GetLengthPrefixed(&v));
  EXPECT_EQ(v, "abc");
  ASSERT_TRUE(d.GetLengthPrefixed(&v));
  EXPECT_EQ(v, "");
  ASSERT_TRUE(d.GetLengthPrefixed(&v, 200));  // exactly at the bound is fine
  EXPECT_EQ(v, big);
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, LengthPrefixedBounds) {
  std::string s;
  PutLengthPrefixed(&s, "hello");
  {
    Decoder d(s);
    std::string_view v;
    EXPECT_FALSE(d.GetLengthPrefixed(&v, 4));  // declared length above max_len
    EXPECT_FALSE(d.ok());
  }
  {
    // Declared length one more than the bytes present.
    Decoder d(std::string_view(s).substr(0, s.size() - 1));
    std::string_view v;
    EXPECT_FALSE(d.GetLengthPrefixed(&v));
  }
  {
    // A huge declared length must not be trusted.
    std::string huge;
    PutVarint64(&huge, UINT64_MAX);
    huge += "abc";
    Decoder d(huge);
    std::string_view v;
    EXPECT_FALSE(d.GetLengthPrefixed(&v));
  }
  {
    // Truncated length varint.
    const std::string truncated = test::Bytes({0x80});
    Decoder d(truncated);
    std::string_view v;
    EXPECT_FALSE(d.GetLengthPrefixed(&v));
  }
}

TEST(CodingTest, GetBytesAndRemaining) {
  Decoder d("abcdef");
  std::string_view v;
  EXPECT_EQ(d.remaining(), 6u);
  ASSERT_TRUE(d.GetBytes(2, &v));
  EXPECT_EQ(v, "ab");
  EXPECT_EQ(d.remaining(), 4u);
  ASSERT_TRUE(d.GetBytes(0, &v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(d.done());
  EXPECT_FALSE(d.GetBytes(5, &v));
  EXPECT_FALSE(d.done());
}

TEST(CodingTest, DoneOnlyWhenAllConsumed) {
  std::string s;
  PutVarint64(&s, 5);
  s.push_back('x');
  Decoder d(s);
  uint64_t v;
  ASSERT_TRUE(d.GetVarint64(&v));
  EXPECT_FALSE(d.done());
  uint8_t b;
  ASSERT_TRUE(d.GetFixed8(&b));
  EXPECT_EQ(b, 'x');
  EXPECT_TRUE(d.done());
}

}  // namespace
}  // namespace strata
