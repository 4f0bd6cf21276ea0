#include "store/store_header.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <string>

#include "tests/testutil.h"

namespace strata {
namespace {

void PutLe(std::string* s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

StoreHeader Sample() {
  StoreHeader h;
  for (size_t i = 0; i < 16; i++) h.uuid[i] = static_cast<uint8_t>(0x10 * (i % 16) + i);
  h.params.data_frame_log2 = 14;
  h.params.zstd_level = -5;
  h.params.max_chain = 7;
  h.params.pack_target_size = 3ull << 30;
  return h;
}

// The documented layout, built by hand: magic, u32 version, u32 body length, body, BLAKE2b-256 of all before.
std::string HandEncoded(uint32_t version, const std::array<uint8_t, 16>& uuid, uint8_t log2, int32_t level,
                        uint32_t max_chain, uint64_t target, uint8_t encryption) {
  std::string body(reinterpret_cast<const char*>(uuid.data()), 16);
  PutLe(&body, log2, 1);
  PutLe(&body, static_cast<uint32_t>(level), 4);
  PutLe(&body, max_chain, 4);
  PutLe(&body, target, 8);
  PutLe(&body, encryption, 1);
  std::string out("\x89STRATA\n");
  PutLe(&out, version, 4);
  PutLe(&out, body.size(), 4);
  out += body;
  return out + test::Blake2b256(out);
}

TEST(StoreHeaderTest, EncodeMatchesHandBuiltLayout) {
  const StoreHeader h = Sample();
  EXPECT_EQ(h.Encode(), HandEncoded(1, h.uuid, 14, -5, 7, 3ull << 30, 0));
  EXPECT_EQ(h.Encode().size(), 16 + 34 + 32u);
}

TEST(StoreHeaderTest, RoundTrip) {
  const StoreHeader h = Sample();
  auto d = StoreHeader::Decode(h.Encode(), "hdr");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->version, 1u);
  EXPECT_EQ(d->uuid, h.uuid);
  EXPECT_EQ(d->params.data_frame_log2, 14);
  EXPECT_EQ(d->params.zstd_level, -5);
  EXPECT_EQ(d->params.max_chain, 7u);
  EXPECT_EQ(d->params.pack_target_size, 3ull << 30);
  EXPECT_EQ(d->encryption, 0);
}

TEST(StoreHeaderTest, DefaultsRoundTrip) {
  StoreHeader h;
  auto d = StoreHeader::Decode(h.Encode(), "hdr");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->params.data_frame_log2, 17);
  EXPECT_EQ(d->params.zstd_level, 3);
  EXPECT_EQ(d->params.max_chain, 32u);
  EXPECT_EQ(d->params.pack_target_size, 64ull << 20);
}

TEST(StoreHeaderTest, UuidString) {
  StoreHeader h;
  for (size_t i = 0; i < 16; i++) h.uuid[i] = static_cast<uint8_t>(i * 0x11);
  EXPECT_EQ(h.UuidString(), "00112233-4455-6677-8899-aabbccddeeff");
}

TEST(StoreHeaderTest, BadMagicIsCorruption) {
  std::string bytes = Sample().Encode();
  for (size_t i = 0; i < 8; i++) {
    std::string bad = bytes;
    bad[i] ^= 0x40;
    auto d = StoreHeader::Decode(bad, "/x/strata-store");
    ASSERT_TRUE(d.status().IsCorruption()) << i;
    EXPECT_NE(d.status().message().find("/x/strata-store"), std::string::npos);
  }
  EXPECT_TRUE(StoreHeader::Decode("", "h").status().IsCorruption());
  EXPECT_TRUE(StoreHeader::Decode("hello world, not a header at all", "h").status().IsCorruption());
}

TEST(StoreHeaderTest, EveryTruncationIsCorruption) {
  const std::string bytes = Sample().Encode();
  for (size_t len = 0; len < bytes.size(); len++) {
    auto d = StoreHeader::Decode(bytes.substr(0, len), "h");
    EXPECT_TRUE(d.status().IsCorruption()) << len;
    // An empty or cut header is named as such, never as a foreign file.
    EXPECT_NE(d.status().message().find("truncated"), std::string::npos)
        << len << ": " << d.status().message();
  }
  EXPECT_TRUE(StoreHeader::Decode(bytes + "x", "h").status().IsCorruption());
}

TEST(StoreHeaderTest, NewerVersionIsNotSupported) {
  StoreHeader h = Sample();
  h.version = 2;
  auto d = StoreHeader::Decode(h.Encode(), "h");
  EXPECT_EQ(d.status().code(), Status::Code::kNotSupported);
  // Even if the rest of a newer header is unintelligible.
  std::string bytes = Sample().Encode();
  bytes[8] = 9;
  bytes.resize(20);
  EXPECT_EQ(StoreHeader::Decode(bytes, "h").status().code(), Status::Code::kNotSupported);
  h.version = 0;
  EXPECT_TRUE(StoreHeader::Decode(h.Encode(), "h").status().IsCorruption());
}

TEST(StoreHeaderTest, ChecksumMismatchIsCorruption) {
  const std::string bytes = Sample().Encode();
  for (size_t i = 12; i < bytes.size(); i++) {  // body length, body and checksum
    std::string bad = bytes;
    bad[i] ^= 0x01;
    auto d = StoreHeader::Decode(bad, "h");
    ASSERT_TRUE(d.status().IsCorruption()) << i;
  }
}

TEST(StoreHeaderTest, ParameterBounds) {
  const auto uuid = Sample().uuid;
  struct Case {
    uint8_t log2;
    int32_t level;
    uint32_t chain;
    uint64_t target;
    bool ok;
  };
  const Case cases[] = {
      {12, 3, 32, 1 << 20, true},          {20, 3, 32, 1 << 20, true},
      {11, 3, 32, 1 << 20, false},         {21, 3, 32, 1 << 20, false},
      {0, 3, 32, 1 << 20, false},          {17, -7, 32, 1 << 20, true},
      {17, 22, 32, 1 << 20, true},         {17, -8, 32, 1 << 20, false},
      {17, 23, 32, 1 << 20, false},        {17, 3, 1, 1 << 20, true},
      {17, 3, 1000, 1 << 20, true},        {17, 3, 0, 1 << 20, false},
      {17, 3, 1001, 1 << 20, false},       {17, 3, 32, (1 << 20) - 1, false},
      {17, 3, 32, 4ull << 30, true},       {17, 3, 32, (4ull << 30) + 1, false},
      {17, INT32_MIN, 32, 1 << 20, false},
  };
  for (const Case& c : cases) {
    auto d = StoreHeader::Decode(HandEncoded(1, uuid, c.log2, c.level, c.chain, c.target, 0), "h");
    if (c.ok) {
      ASSERT_TRUE(d.ok()) << int{c.log2} << " " << c.level << " " << c.chain << " " << c.target << ": "
                          << d.status().message();
      EXPECT_EQ(d->params.data_frame_log2, c.log2);
      EXPECT_EQ(d->params.zstd_level, c.level);
      EXPECT_EQ(d->params.max_chain, c.chain);
      EXPECT_EQ(d->params.pack_target_size, c.target);
    } else {
      EXPECT_TRUE(d.status().IsCorruption())
          << int{c.log2} << " " << c.level << " " << c.chain << " " << c.target;
    }
  }
}

TEST(StoreHeaderTest, UnknownEncryptionIsNotSupported) {
  for (uint8_t mode : {2, 3, 255}) {
    auto d = StoreHeader::Decode(HandEncoded(1, Sample().uuid, 17, 3, 32, 1 << 20, mode), "h");
    EXPECT_EQ(d.status().code(), Status::Code::kNotSupported) << int{mode};
  }
}

// Encryption mode 1 as strata-store(5) lays it out after the v1 body: KDF id, opslimit, memlimit, salt,
// wrap nonce, wrapped key.
struct Slot {
  uint8_t kdf = 2;
  uint32_t ops = 3;
  uint64_t mem = 256ull << 20;
  std::string salt = std::string(16, 's');
  std::string nonce = std::string(24, 'n');
  std::string wrapped = std::string(48, 'w');
};

std::string HandEncodedEncrypted(const Slot& slot, const std::string& extra = "") {
  const StoreHeader h = Sample();
  std::string body(reinterpret_cast<const char*>(h.uuid.data()), 16);
  PutLe(&body, 14, 1);
  PutLe(&body, static_cast<uint32_t>(-5), 4);
  PutLe(&body, 7, 4);
  PutLe(&body, 3ull << 30, 8);
  PutLe(&body, 1, 1);
  PutLe(&body, slot.kdf, 1);
  PutLe(&body, slot.ops, 4);
  PutLe(&body, slot.mem, 8);
  body += slot.salt + slot.nonce + slot.wrapped + extra;
  std::string out("\x89STRATA\n");
  PutLe(&out, 1, 4);
  PutLe(&out, body.size(), 4);
  out += body;
  return out + test::Blake2b256(out);
}

StoreHeader SampleEncrypted() {
  StoreHeader h = Sample();
  h.encryption = 1;
  h.key_slot.kdf.opslimit = 3;
  h.key_slot.kdf.memlimit = 256ull << 20;
  h.key_slot.kdf.salt.fill('s');
  h.key_slot.nonce.fill('n');
  h.key_slot.wrapped.fill('w');
  return h;
}

TEST(StoreHeaderTest, EncryptedEncodeMatchesHandBuiltLayout) {
  const std::string bytes = SampleEncrypted().Encode();
  EXPECT_EQ(bytes, HandEncodedEncrypted(Slot{}));
  EXPECT_EQ(bytes.size(), 183u);
  EXPECT_EQ(bytes.substr(12, 4), test::Bytes({135, 0, 0, 0}));
  // The wrap's associated data is header bytes 16..78: uuid through salt.
  EXPECT_EQ(SampleEncrypted().WrapAssociatedData(), bytes.substr(16, 63));
}

TEST(StoreHeaderTest, EncryptedRoundTrip) {
  Slot slot;
  slot.ops = 4;
  slot.mem = 1ull << 30;
  slot.salt = test::RandomBytes(16, 1);
  slot.nonce = test::RandomBytes(24, 2);
  slot.wrapped = test::RandomBytes(48, 3);
  auto d = StoreHeader::Decode(HandEncodedEncrypted(slot), "h");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->uuid, Sample().uuid);
  EXPECT_EQ(d->params.zstd_level, -5);
  EXPECT_EQ(d->encryption, 1);
  EXPECT_EQ(d->key_slot.kdf.opslimit, 4u);
  EXPECT_EQ(d->key_slot.kdf.memlimit, 1ull << 30);
  auto view = [](const auto& a) { return std::string(reinterpret_cast<const char*>(a.data()), a.size()); };
  EXPECT_EQ(view(d->key_slot.kdf.salt), slot.salt);
  EXPECT_EQ(view(d->key_slot.nonce), slot.nonce);
  EXPECT_EQ(view(d->key_slot.wrapped), slot.wrapped);
  EXPECT_EQ(d->Encode(), HandEncodedEncrypted(slot));
}

TEST(StoreHeaderTest, EncryptedTruncationIsCorruption) {
  const std::string bytes = SampleEncrypted().Encode();
  for (size_t len = 0; len < bytes.size(); len++) {
    EXPECT_TRUE(StoreHeader::Decode(bytes.substr(0, len), "h").status().IsCorruption()) << len;
  }
  // A body that ends inside the key slot, with a valid checksum and body_len.
  for (size_t body_len = 34; body_len < 135; body_len++) {
    std::string cut = bytes.substr(0, 16 + body_len);
    cut[12] = static_cast<char>(body_len);
    cut += test::Blake2b256(cut);
    auto d = StoreHeader::Decode(cut, "h");
    EXPECT_TRUE(d.status().IsCorruption()) << body_len;
  }
}

TEST(StoreHeaderTest, EncryptedTrailingBodyBytesAreIgnored) {
  auto d = StoreHeader::Decode(HandEncodedEncrypted(Slot{}, "future fields"), "h");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->Encode(), HandEncodedEncrypted(Slot{}));
}

TEST(StoreHeaderTest, KdfFieldsAreValidated) {
  struct Case {
    uint8_t kdf;
    uint32_t ops;
    uint64_t mem;
    Status::Code code;
  };
  const Case cases[] = {
      {2, 1, 8192, Status::Code::kOk},
      {2, 64, 16ull << 30, Status::Code::kOk},
      {1, 3, 8192, Status::Code::kNotSupported},  // Argon2i
      {0, 3, 8192, Status::Code::kNotSupported},
      {3, 3, 8192, Status::Code::kNotSupported},
      {2, 0, 8192, Status::Code::kCorruption},
      {2, 65, 8192, Status::Code::kCorruption},
      {2, UINT32_MAX, 8192, Status::Code::kCorruption},
      {2, 1, 4096, Status::Code::kCorruption},
      {2, 1, 8192 + 1, Status::Code::kCorruption},
      {2, 1, (16ull << 30) + 1024, Status::Code::kCorruption},
      {2, 1, UINT64_MAX, Status::Code::kCorruption},
  };
  for (const Case& c : cases) {
    Slot slot;
    slot.kdf = c.kdf;
    slot.ops = c.ops;
    slot.mem = c.mem;
    auto d = StoreHeader::Decode(HandEncodedEncrypted(slot), "/s/strata-store");
    EXPECT_EQ(d.status().code(), c.code) << int{c.kdf} << " " << c.ops << " " << c.mem;
    if (!d.ok()) {
      EXPECT_NE(d.status().message().find("/s/strata-store"), std::string::npos);
    }
  }
}

TEST(StoreHeaderTest, BodyLengthMustCoverVersion1Fields) {
  // A body one byte short of the v1 fields, with a valid checksum.
  std::string good = HandEncoded(1, Sample().uuid, 17, 3, 32, 1 << 20, 0);
  std::string shortened = good.substr(0, 16 + 33);
  shortened[12] = 33;
  shortened += test::Blake2b256(shortened);
  EXPECT_TRUE(StoreHeader::Decode(shortened, "h").status().IsCorruption());
}

}  // namespace
}  // namespace strata
