#include "store/index_entry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "store/format.h"

namespace strata {
namespace {

void PutLe64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void SetLe64(std::string* out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; i++) (*out)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

IndexEntry SampleEntry() {
  IndexEntry e;
  for (size_t i = 0; i < 32; i++) e.id.bytes[i] = static_cast<uint8_t>(0xa0 + i);
  e.type = format::ObjectType::kTree;
  e.frame_log2 = 13;
  for (size_t i = 0; i < 16; i++) e.salt[i] = static_cast<uint8_t>(0x10 + i);
  for (size_t i = 0; i < 16; i++) e.pack[i] = static_cast<uint8_t>(0xf0 - i);
  e.offset = 0x0102030405060708ull;
  e.raw_size = 20000;  // 3 frames of 8 KiB
  e.stored_len = 12345;
  return e;
}

TEST(IndexEntryTest, EncodeLayoutIsExactly96BytesAtDocumentedOffsets) {
  const IndexEntry e = SampleEntry();
  std::string got;
  e.EncodeTo(&got);
  ASSERT_EQ(got.size(), 96u);

  std::string want;
  for (size_t i = 0; i < 32; i++) want.push_back(static_cast<char>(0xa0 + i));  // id 0..32
  want.push_back(2);                                                            // type 32
  want.push_back(13);                                                           // frame_log2 33
  want.append(6, '\0');                                                         // reserved 34..40
  for (size_t i = 0; i < 16; i++) want.push_back(static_cast<char>(0x10 + i));  // salt 40..56
  for (size_t i = 0; i < 16; i++) want.push_back(static_cast<char>(0xf0 - i));  // pack 56..72
  PutLe64(&want, 0x0102030405060708ull);                                        // offset 72
  PutLe64(&want, 12345);                                                        // stored_len 80
  PutLe64(&want, 20000);                                                        // raw_size 88
  ASSERT_EQ(want.size(), 96u);
  EXPECT_EQ(got, want);
  EXPECT_EQ(static_cast<uint8_t>(got[72]), 0x08);
  EXPECT_EQ(static_cast<uint8_t>(got[79]), 0x01);
}

TEST(IndexEntryTest, EncodeAppends) {
  std::string out = "xy";
  SampleEntry().EncodeTo(&out);
  EXPECT_EQ(out.size(), 98u);
  EXPECT_EQ(out.substr(0, 2), "xy");
}

TEST(IndexEntryTest, RoundTrip) {
  const IndexEntry e = SampleEntry();
  std::string bytes;
  e.EncodeTo(&bytes);
  auto d = IndexEntry::Decode(bytes, "t");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->id, e.id);
  EXPECT_EQ(d->type, e.type);
  EXPECT_EQ(d->frame_log2, e.frame_log2);
  EXPECT_EQ(d->salt, e.salt);
  EXPECT_EQ(d->pack, e.pack);
  EXPECT_EQ(d->offset, e.offset);
  EXPECT_EQ(d->stored_len, e.stored_len);
  EXPECT_EQ(d->raw_size, e.raw_size);
  EXPECT_EQ(d->FrameSize(), 8192u);
  EXPECT_EQ(d->FrameCount(), 3u);
}

TEST(IndexEntryTest, EveryTypeAndFrameSizeInRangeDecodes) {
  for (uint8_t type = 1; type <= 4; type++) {
    for (uint8_t log2 = 12; log2 <= 20; log2++) {
      std::string bytes;
      SampleEntry().EncodeTo(&bytes);
      bytes[32] = static_cast<char>(type);
      bytes[33] = static_cast<char>(log2);
      // One frame whatever the frame size: stored_len between 21 and 21 + raw.
      SetLe64(&bytes, 88, 4000);
      SetLe64(&bytes, 80, 100);
      auto d = IndexEntry::Decode(bytes, "t");
      ASSERT_TRUE(d.ok()) << int{type} << " " << int{log2} << d.status().message();
      EXPECT_EQ(static_cast<uint8_t>(d->type), type);
      EXPECT_EQ(d->frame_log2, log2);
    }
  }
}

TEST(IndexEntryTest, RejectsBadTypes) {
  for (uint8_t type : {uint8_t{0}, uint8_t{5}, uint8_t{0xff}}) {
    std::string bytes;
    SampleEntry().EncodeTo(&bytes);
    bytes[32] = static_cast<char>(type);
    auto d = IndexEntry::Decode(bytes, "entry-name");
    ASSERT_FALSE(d.ok()) << int{type};
    EXPECT_TRUE(d.status().IsCorruption());
    EXPECT_NE(d.status().message().find("entry-name"), std::string::npos);
  }
}

TEST(IndexEntryTest, RejectsFrameSizesOutOfRange) {
  for (uint8_t log2 : {uint8_t{0}, uint8_t{11}, uint8_t{21}, uint8_t{63}, uint8_t{255}}) {
    std::string bytes;
    SampleEntry().EncodeTo(&bytes);
    bytes[33] = static_cast<char>(log2);
    auto d = IndexEntry::Decode(bytes, "t");
    EXPECT_TRUE(d.status().IsCorruption()) << int{log2};
  }
}

TEST(IndexEntryTest, RejectsNonZeroReservedBytes) {
  for (size_t i = 34; i < 40; i++) {
    for (uint8_t v : {uint8_t{1}, uint8_t{0x80}}) {
      std::string bytes;
      SampleEntry().EncodeTo(&bytes);
      bytes[i] = static_cast<char>(v);
      EXPECT_TRUE(IndexEntry::Decode(bytes, "t").status().IsCorruption()) << i;
    }
  }
}

TEST(IndexEntryTest, RejectsWrongSize) {
  std::string bytes;
  SampleEntry().EncodeTo(&bytes);
  EXPECT_TRUE(IndexEntry::Decode(bytes.substr(0, 95), "t").status().IsCorruption());
  EXPECT_TRUE(IndexEntry::Decode(bytes + '\0', "t").status().IsCorruption());
  EXPECT_TRUE(IndexEntry::Decode("", "t").status().IsCorruption());
}

TEST(IndexEntryTest, StoredLengthMustMatchFrameCount) {
  // frame_log2 12, raw 10000 -> 3 frames. Each costs at least 1 + 16 + 4 = 21 bytes and at most its raw
  // bytes plus those 21.
  auto decode = [](uint64_t raw, uint64_t stored) {
    IndexEntry e = SampleEntry();
    e.frame_log2 = 12;
    e.offset = 16;
    e.raw_size = raw;
    e.stored_len = stored;
    std::string bytes;
    e.EncodeTo(&bytes);
    return IndexEntry::Decode(bytes, "t");
  };
  EXPECT_TRUE(decode(10000, 63).ok());
  EXPECT_TRUE(decode(10000, 10063).ok());
  EXPECT_TRUE(decode(10000, 62).status().IsCorruption());
  EXPECT_TRUE(decode(10000, 10064).status().IsCorruption());
  EXPECT_TRUE(decode(10000, 0).status().IsCorruption());
  // An empty object has no frames and no frame table.
  EXPECT_TRUE(decode(0, 0).ok());
  EXPECT_TRUE(decode(0, 1).status().IsCorruption());
  // Exactly one full frame.
  EXPECT_TRUE(decode(4096, 21).ok());
  EXPECT_TRUE(decode(4096, 4096 + 21).ok());
  EXPECT_TRUE(decode(4096, 4096 + 22).status().IsCorruption());
  EXPECT_TRUE(decode(4097, 41).status().IsCorruption());
  EXPECT_TRUE(decode(4097, 42).ok());
}

TEST(IndexEntryTest, RejectsImplausibleSizesAndOverflow) {
  IndexEntry e = SampleEntry();
  e.frame_log2 = 20;
  e.raw_size = (uint64_t{1} << 50) + 1;
  e.stored_len = e.raw_size;
  std::string bytes;
  e.EncodeTo(&bytes);
  EXPECT_TRUE(IndexEntry::Decode(bytes, "t").status().IsCorruption());

  e.raw_size = 1 << 20;
  e.stored_len = 100;
  e.offset = UINT64_MAX - 50;  // offset + stored_len wraps around
  bytes.clear();
  e.EncodeTo(&bytes);
  EXPECT_TRUE(IndexEntry::Decode(bytes, "t").status().IsCorruption());
}

TEST(IndexEntryTest, PackIdHexAndParse) {
  PackId id;
  for (size_t i = 0; i < id.size(); i++) id[i] = static_cast<uint8_t>(i * 16 + 15 - i);
  const std::string hex = PackIdHex(id);
  EXPECT_EQ(hex, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
  PackId parsed{};
  ASSERT_TRUE(ParsePackId(hex, &parsed));
  EXPECT_EQ(parsed, id);
  ASSERT_TRUE(ParsePackId("0F1E2D3C4B5A69788796A5B4C3D2E1F0", &parsed));
  EXPECT_EQ(parsed, id);
  EXPECT_FALSE(ParsePackId(hex.substr(1), &parsed));
  EXPECT_FALSE(ParsePackId(hex + "0", &parsed));
  EXPECT_FALSE(ParsePackId("0f1e2d3c4b5a69788796a5b4c3d2e1fg", &parsed));
  EXPECT_FALSE(ParsePackId("", &parsed));
}

}  // namespace
}  // namespace strata
