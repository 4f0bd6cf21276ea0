#include "store/file_version.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "store/coding.h"
#include "store/hash.h"

namespace strata {
namespace {

FileVersion Full() {
  FileVersion v;
  v.kind = FileVersion::Kind::kFull;
  v.size = 300;
  v.content_hash = HashBytes("content");
  v.signature = HashBytes("signature");
  v.payload = HashBytes("payload");
  return v;
}

FileVersion Delta() {
  FileVersion v = Full();
  v.kind = FileVersion::Kind::kDelta;
  v.size = 1ull << 40;
  v.base = HashBytes("base");
  v.depth = 31;
  v.literal_size = 12345;
  v.ops = std::string("\x03\x01\x00\xff", 4);
  return v;
}

void ExpectSame(const FileVersion& a, const FileVersion& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_EQ(a.hash_block_len, b.hash_block_len);
  EXPECT_EQ(a.signature, b.signature);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.base, b.base);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.literal_size, b.literal_size);
  EXPECT_EQ(a.ops, b.ops);
}

TEST(FileVersionTest, FullLayoutAndRoundTrip) {
  const FileVersion v = Full();
  std::string want = "\x01\x01";
  want += "\xac\x02";  // varint 300
  want += "\x80\x08";  // hash block length 1024
  want += HashBytes("content").View();
  want += HashBytes("signature").View();
  want += HashBytes("payload").View();
  EXPECT_EQ(v.Encode(), want);
  auto d = FileVersion::Decode(want, "v");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ExpectSame(*d, v);
  EXPECT_EQ(d->depth, 0u);
}

TEST(FileVersionTest, DeltaLayoutAndRoundTrip) {
  const FileVersion v = Delta();
  std::string want = "\x01\x02";
  PutVarint64(&want, 1ull << 40);
  want += "\x80\x08";  // hash block length 1024
  want += HashBytes("content").View();
  want += HashBytes("signature").View();
  want += HashBytes("payload").View();
  want += HashBytes("base").View();
  want += "\x1f";      // depth 31
  want += "\xb9\x60";  // 12345
  want += std::string("\x04\x03\x01\x00\xff", 5);
  EXPECT_EQ(v.Encode(), want);
  auto d = FileVersion::Decode(want, "v");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ExpectSame(*d, v);
}

TEST(FileVersionTest, EveryTruncationAndTrailingByteIsCorruption) {
  for (const FileVersion& v : {Full(), Delta()}) {
    const std::string bytes = v.Encode();
    for (size_t len = 0; len < bytes.size(); len++) {
      auto d = FileVersion::Decode(bytes.substr(0, len), "version V");
      ASSERT_TRUE(d.status().IsCorruption()) << len;
      EXPECT_NE(d.status().message().find("version V"), std::string::npos);
    }
    EXPECT_TRUE(FileVersion::Decode(bytes + '\0', "v").status().IsCorruption());
  }
}

TEST(FileVersionTest, RejectsBadHeaderFields) {
  std::string bytes = Full().Encode();
  bytes[0] = 2;
  EXPECT_EQ(FileVersion::Decode(bytes, "v").status().code(), Status::Code::kNotSupported);
  for (uint8_t kind : {uint8_t{0}, uint8_t{3}, uint8_t{0xff}}) {
    bytes = Full().Encode();
    bytes[1] = static_cast<char>(kind);
    EXPECT_TRUE(FileVersion::Decode(bytes, "v").status().IsCorruption()) << int{kind};
  }
  // A FULL record relabelled as DELTA lacks the delta fields.
  bytes = Full().Encode();
  bytes[1] = 2;
  EXPECT_TRUE(FileVersion::Decode(bytes, "v").status().IsCorruption());
}

TEST(FileVersionTest, RejectsImplausibleDeltaFields) {
  FileVersion v = Delta();
  v.depth = 0;
  EXPECT_TRUE(FileVersion::Decode(v.Encode(), "v").status().IsCorruption());
  v = Delta();
  v.depth = 100000;
  EXPECT_TRUE(FileVersion::Decode(v.Encode(), "v").ok());
  v.depth = 100001;
  EXPECT_TRUE(FileVersion::Decode(v.Encode(), "v").status().IsCorruption());
  v = Delta();
  v.literal_size = v.size + 1;
  EXPECT_TRUE(FileVersion::Decode(v.Encode(), "v").status().IsCorruption());
  v.literal_size = v.size;
  EXPECT_TRUE(FileVersion::Decode(v.Encode(), "v").ok());
  // The ops length prefix claiming more than is there.
  std::string bytes = Delta().Encode();
  bytes[bytes.size() - 5] = 5;
  EXPECT_TRUE(FileVersion::Decode(bytes, "v").status().IsCorruption());
}

TEST(FileVersionTest, EmptyDeltaOpsAndZeroSizes) {
  FileVersion v = Delta();
  v.ops.clear();
  v.size = 0;
  v.literal_size = 0;
  auto d = FileVersion::Decode(v.Encode(), "v");
  ASSERT_TRUE(d.ok());
  ExpectSame(*d, v);
}

}  // namespace
}  // namespace strata
