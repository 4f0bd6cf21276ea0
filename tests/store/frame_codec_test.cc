#include "store/frame_codec.h"

#include <gtest/gtest.h>
#include <xxhash.h>
#include <zstd.h>

#include <cstdint>
#include <string>

#include "store/format.h"
#include "tests/testutil.h"

namespace strata {
namespace {

Salt TestSalt(uint8_t seed) {
  Salt s;
  for (size_t i = 0; i < s.size(); i++) s[i] = static_cast<uint8_t>(seed + 17 * i);
  return s;
}

// The frame check recomputed here from the documented definition, independently of frame_codec.cc:
// XXH3-128 (seed 0, canonical big-endian form) over salt || u32le frame index || u32le raw length ||
// encoding byte || body, computed in one shot where the codec streams it.
std::string ExpectedCheck(const Salt& salt, uint32_t index, uint32_t raw_len, const std::string& encoded) {
  std::string in(reinterpret_cast<const char*>(salt.data()), salt.size());
  for (int i = 0; i < 4; i++) in.push_back(static_cast<char>((index >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; i++) in.push_back(static_cast<char>((raw_len >> (8 * i)) & 0xff));
  in += encoded;
  XXH128_canonical_t out;
  XXH128_canonicalFromHash(&out, XXH3_128bits(in.data(), in.size()));
  return std::string(reinterpret_cast<const char*>(out.digest), sizeof out.digest);
}

std::string Compressible(size_t n) {
  std::string s;
  while (s.size() < n) s += "strata frame codec test line, highly repetitive. ";
  s.resize(n);
  return s;
}

TEST(FrameCodecTest, CompressibleFrameRoundTripsAndIsCompressed) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(1);
  const std::string raw = Compressible(4096);
  std::string stored;
  codec.Encode(raw, salt, 7, &stored);
  ASSERT_GT(stored.size(), format::kFrameOverhead);
  EXPECT_LT(stored.size(), raw.size());
  EXPECT_EQ(stored[0], static_cast<char>(format::FrameEncoding::kZstd));

  // The body is a plain zstd frame of the raw bytes, and the check is what the format says it is.
  std::string encoded = stored.substr(0, stored.size() - 16);
  std::string body = encoded.substr(1);
  EXPECT_EQ(ZSTD_getFrameContentSize(body.data(), body.size()), raw.size());
  std::string decompressed(raw.size(), '\0');
  size_t n = ZSTD_decompress(decompressed.data(), decompressed.size(), body.data(), body.size());
  ASSERT_FALSE(ZSTD_isError(n));
  EXPECT_EQ(decompressed, raw);
  EXPECT_EQ(stored.substr(stored.size() - 16), ExpectedCheck(salt, 7, 4096, encoded));

  std::string out = "garbage that must be replaced";
  Status s = codec.Decode(stored, salt, 7, raw.size(), &out, "obj");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(out, raw);
}

TEST(FrameCodecTest, IncompressibleFrameIsStoredRaw) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(2);
  const std::string raw = test::RandomBytes(4096, 42);
  std::string stored;
  codec.Encode(raw, salt, 0, &stored);
  ASSERT_EQ(stored.size(), 1 + raw.size() + 16);
  EXPECT_EQ(stored[0], 0);
  EXPECT_EQ(stored.substr(1, raw.size()), raw);
  EXPECT_EQ(stored.substr(1 + raw.size()), ExpectedCheck(salt, 0, 4096, stored.substr(0, 1 + raw.size())));

  std::string out;
  ASSERT_TRUE(codec.Decode(stored, salt, 0, raw.size(), &out, "obj").ok());
  EXPECT_EQ(out, raw);
}

TEST(FrameCodecTest, EncodeAppendsToExistingOutput) {
  FrameCodec codec(1);
  const Salt salt = TestSalt(3);
  std::string out = "prefix";
  codec.Encode("abc", salt, 1, &out);
  codec.Encode(Compressible(5000), salt, 2, &out);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  // First frame: tiny input is stored raw.
  const std::string first = out.substr(6, 1 + 3 + 16);
  std::string decoded;
  ASSERT_TRUE(codec.Decode(first, salt, 1, 3, &decoded, "obj").ok());
  EXPECT_EQ(decoded, "abc");
  ASSERT_TRUE(codec.Decode(out.substr(6 + first.size()), salt, 2, 5000, &decoded, "obj").ok());
  EXPECT_EQ(decoded, Compressible(5000));
}

TEST(FrameCodecTest, EmptyFrameRoundTrips) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(4);
  std::string stored;
  codec.Encode("", salt, 0, &stored);
  EXPECT_EQ(stored.size(), format::kFrameOverhead);
  EXPECT_EQ(stored[0], 0);
  std::string out = "x";
  ASSERT_TRUE(codec.Decode(stored, salt, 0, 0, &out, "obj").ok());
  EXPECT_EQ(out, "");
}

TEST(FrameCodecTest, RoundTripsAtManySizesAndLevels) {
  const Salt salt = TestSalt(5);
  for (int level : {-7, 1, 3, 19}) {
    FrameCodec codec(level);
    for (size_t n : {size_t{1}, size_t{17}, size_t{100}, size_t{4095}, size_t{4096}, size_t{65536}}) {
      for (const std::string& raw : {Compressible(n), test::RandomBytes(n, n)}) {
        std::string stored;
        codec.Encode(raw, salt, static_cast<uint32_t>(n), &stored);
        EXPECT_LE(stored.size(), raw.size() + format::kFrameOverhead);
        std::string out;
        Status s = codec.Decode(stored, salt, static_cast<uint32_t>(n), n, &out, "obj");
        ASSERT_TRUE(s.ok()) << level << " " << n << ": " << s.message();
        EXPECT_EQ(out, raw);
      }
    }
  }
}

TEST(FrameCodecTest, EverySingleBitFlipIsCorruption) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(6);
  for (const std::string& raw : {test::RandomBytes(40, 9), Compressible(300)}) {
    std::string stored;
    codec.Encode(raw, salt, 3, &stored);
    for (size_t byte = 0; byte < stored.size(); byte++) {
      for (int bit = 0; bit < 8; bit++) {
        std::string bad = stored;
        bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
        std::string out;
        Status s = codec.Decode(bad, salt, 3, raw.size(), &out, "obj X");
        ASSERT_TRUE(s.IsCorruption()) << "byte " << byte << " bit " << bit;
        EXPECT_NE(s.message().find("obj X"), std::string::npos) << s.message();
      }
    }
  }
}

TEST(FrameCodecTest, WrongContextIsCorruption) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(7);
  const std::string raw = Compressible(1000);
  std::string stored;
  codec.Encode(raw, salt, 5, &stored);
  std::string out;
  ASSERT_TRUE(codec.Decode(stored, salt, 5, raw.size(), &out, "obj").ok());

  Salt other = salt;
  other[15] ^= 1;
  EXPECT_TRUE(codec.Decode(stored, other, 5, raw.size(), &out, "obj").IsCorruption());
  EXPECT_TRUE(codec.Decode(stored, salt, 4, raw.size(), &out, "obj").IsCorruption());
  EXPECT_TRUE(codec.Decode(stored, salt, 6, raw.size(), &out, "obj").IsCorruption());
  EXPECT_TRUE(codec.Decode(stored, salt, 5, raw.size() - 1, &out, "obj").IsCorruption());
  EXPECT_TRUE(codec.Decode(stored, salt, 5, raw.size() + 1, &out, "obj").IsCorruption());
  EXPECT_TRUE(codec.Decode(stored, salt, 5, 0, &out, "obj").IsCorruption());
}

TEST(FrameCodecTest, TruncatedFramesAreCorruption) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(8);
  const std::string raw = test::RandomBytes(64, 1);
  std::string stored;
  codec.Encode(raw, salt, 0, &stored);
  for (size_t len = 0; len < stored.size(); len++) {
    std::string out;
    Status s = codec.Decode(stored.substr(0, len), salt, 0, raw.size(), &out, "obj");
    EXPECT_TRUE(s.IsCorruption()) << len;
  }
  // Extra bytes are as bad as missing ones.
  std::string out;
  EXPECT_TRUE(codec.Decode(stored + "x", salt, 0, raw.size(), &out, "obj").IsCorruption());
}

// Frames below carry a valid check over a crafted body, so only the decoder's own validation stands
// between them and the caller.
std::string CraftFrame(const Salt& salt, uint32_t index, uint32_t raw_len, uint8_t encoding,
                       const std::string& body) {
  std::string encoded(1, static_cast<char>(encoding));
  encoded += body;
  return encoded + ExpectedCheck(salt, index, raw_len, encoded);
}

std::string ZstdCompress(const std::string& raw) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST(FrameCodecTest, CraftedFrameWithValidCheckIsAcceptedOnlyWhenConsistent) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(9);
  const std::string raw = Compressible(2000);
  std::string out;
  // Sanity: a crafted frame with the right size decodes, which proves the independent check is right.
  ASSERT_TRUE(codec.Decode(CraftFrame(salt, 1, 2000, 1, ZstdCompress(raw)), salt, 1, 2000, &out, "obj").ok());
  EXPECT_EQ(out, raw);
  ASSERT_TRUE(codec.Decode(CraftFrame(salt, 1, 2000, 0, raw), salt, 1, 2000, &out, "obj").ok());
  EXPECT_EQ(out, raw);
}

TEST(FrameCodecTest, CraftedZstdBodyDeclaringLargerSizeIsCorruption) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(10);
  const std::string bigger = Compressible(2001);
  std::string out;
  Status s = codec.Decode(CraftFrame(salt, 0, 2000, 1, ZstdCompress(bigger)), salt, 0, 2000, &out, "obj");
  EXPECT_TRUE(s.IsCorruption()) << s.message();
  // Far larger: must be refused before anything that size is allocated or written.
  const std::string huge = Compressible(1 << 20);
  s = codec.Decode(CraftFrame(salt, 0, 4096, 1, ZstdCompress(huge)), salt, 0, 4096, &out, "obj");
  EXPECT_TRUE(s.IsCorruption()) << s.message();
  // Smaller declared size.
  s = codec.Decode(CraftFrame(salt, 0, 2000, 1, ZstdCompress(Compressible(1999))), salt, 0, 2000, &out,
                   "obj");
  EXPECT_TRUE(s.IsCorruption()) << s.message();
}

TEST(FrameCodecTest, CraftedZstdBodyWithoutContentSizeIsCorruption) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(11);
  const std::string raw = Compressible(3000);
  // A zstd frame whose header leaves the content size out.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
  std::string body(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress2(cctx, body.data(), body.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(n));
  body.resize(n);
  ASSERT_EQ(ZSTD_getFrameContentSize(body.data(), body.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  std::string out;
  Status s = codec.Decode(CraftFrame(salt, 0, 3000, 1, body), salt, 0, 3000, &out, "obj");
  EXPECT_TRUE(s.IsCorruption()) << s.message();
}

TEST(FrameCodecTest, CraftedFramesWithBadBodiesAreCorruption) {
  FrameCodec codec(3);
  const Salt salt = TestSalt(12);
  std::string out;
  // Raw body of the wrong size.
  EXPECT_TRUE(codec.Decode(CraftFrame(salt, 0, 10, 0, "123456789"), salt, 0, 10, &out, "obj").IsCorruption());
  // Unknown encoding byte.
  for (uint8_t enc : {uint8_t{2}, uint8_t{0x80}, uint8_t{0xff}}) {
    Status s = codec.Decode(CraftFrame(salt, 0, 10, enc, "0123456789"), salt, 0, 10, &out, "obj");
    EXPECT_TRUE(s.IsCorruption()) << static_cast<int>(enc);
  }
  // zstd body that is not zstd at all, and an empty zstd body.
  EXPECT_TRUE(
      codec.Decode(CraftFrame(salt, 0, 10, 1, "0123456789"), salt, 0, 10, &out, "obj").IsCorruption());
  EXPECT_TRUE(codec.Decode(CraftFrame(salt, 0, 10, 1, ""), salt, 0, 10, &out, "obj").IsCorruption());
  // A zstd body truncated after its header.
  const std::string raw = Compressible(4000);
  std::string body = ZstdCompress(raw);
  EXPECT_TRUE(
      codec.Decode(CraftFrame(salt, 0, 4000, 1, body.substr(0, body.size() - 3)), salt, 0, 4000, &out, "obj")
          .IsCorruption());
  // A valid zstd frame followed by a second frame that would overflow the output.
  body = ZstdCompress(raw) + ZstdCompress("more");
  EXPECT_TRUE(codec.Decode(CraftFrame(salt, 0, 4000, 1, body), salt, 0, 4000, &out, "obj").IsCorruption());
}

TEST(FrameCodecTest, RandomSaltsDiffer) {
  Salt a = RandomSalt();
  Salt b = RandomSalt();
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace strata
