#include "store/store_key.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "tests/testutil.h"

namespace strata {
namespace {

using format::SubkeyId;

SecretBytes Password(std::string_view pw) { return std::move(SecretBytes::CopyOf(pw)).value(); }

uint64_t Le(const std::string& b, size_t off, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(b[off + i]);
  return v;
}

// Unwraps the master key of an encoded header with libsodium alone, from the byte offsets strata-store(5)
// documents: the oracle for the header layout, the KDF inputs and the associated data. Empty on failure.
std::string ManualUnwrap(const std::string& h, std::string_view password) {
  EXPECT_EQ(h.size(), 183u);
  EXPECT_EQ(h[49], 1);  // encryption
  EXPECT_EQ(h[50], 2);  // Argon2id 1.3
  unsigned char kek[32];
  if (crypto_pwhash(kek, sizeof kek, password.data(), password.size(),
                    reinterpret_cast<const unsigned char*>(h.data() + 63), Le(h, 51, 4), Le(h, 55, 8),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return "";
  }
  std::string key(32, '\0');
  const std::string ad = h.substr(16, 63);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(key.data()), nullptr, nullptr,
          reinterpret_cast<const unsigned char*>(h.data() + 103), 48,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(h.data() + 79), kek) != 0) {
    return "";
  }
  return key;
}

StoreHeader PlainHeader() {
  StoreHeader h;
  randombytes_buf(h.uuid.data(), h.uuid.size());
  return h;
}

class StoreKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    header_ = PlainHeader();
    auto master = CreateStoreKey(&header_, Password("old password"), NewKdfParams(KdfStrength::kMinimum));
    ASSERT_TRUE(master.ok()) << master.status().message();
    master_bytes_ = std::string(master->bytes().view());
    frame_key_ = std::string(master->Subkey(SubkeyId::kFrame)->view());
  }

  // Encodes and decodes, as a header read back from disk.
  static StoreHeader Reread(const StoreHeader& h) {
    auto d = StoreHeader::Decode(h.Encode(), "h");
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : StoreHeader{};
  }

  StoreHeader header_;
  std::string master_bytes_;
  std::string frame_key_;
};

TEST_F(StoreKeyTest, CreateMakesAnEncryptedHeaderThatUnlocks) {
  EXPECT_EQ(header_.encryption, format::kEncryptionXChaCha20Argon2id);
  EXPECT_EQ(header_.key_slot.kdf.opslimit, 1u);
  EXPECT_EQ(header_.key_slot.kdf.memlimit, 8192u);
  auto unlocked = UnlockStoreKey(Reread(header_), Password("old password"), "h");
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().message();
  EXPECT_EQ(unlocked->bytes().view(), master_bytes_);
  EXPECT_EQ(unlocked->Subkey(SubkeyId::kFrame)->view(), frame_key_);
  // The wrapped bytes are not the key.
  EXPECT_EQ(std::string(header_.Encode()).find(master_bytes_), std::string::npos);
}

TEST_F(StoreKeyTest, DocumentedLayoutUnwrapsWithLibsodiumAlone) {
  EXPECT_EQ(ManualUnwrap(header_.Encode(), "old password"), master_bytes_);
  EXPECT_EQ(ManualUnwrap(header_.Encode(), "Old password"), "");
}

TEST_F(StoreKeyTest, TwoStoresGetDifferentKeysSaltsAndNonces) {
  StoreHeader other = PlainHeader();
  auto master = CreateStoreKey(&other, Password("old password"), NewKdfParams(KdfStrength::kMinimum));
  ASSERT_TRUE(master.ok());
  EXPECT_NE(master->bytes().view(), master_bytes_);
  EXPECT_NE(other.key_slot.kdf.salt, header_.key_slot.kdf.salt);
  EXPECT_NE(other.key_slot.nonce, header_.key_slot.nonce);
}

TEST_F(StoreKeyTest, WrongPasswordIsWrongPassword) {
  for (std::string_view pw : {"old passwore", "old password ", "old", "x"}) {
    auto unlocked = UnlockStoreKey(header_, Password(pw), "/s/strata-store");
    ASSERT_TRUE(unlocked.status().IsWrongPassword()) << pw;
    EXPECT_EQ(unlocked.status().message(), "/s/strata-store: wrong password");
  }
  EXPECT_TRUE(UnlockStoreKey(header_, SecretBytes(), "h").status().IsWrongPassword());
}

TEST_F(StoreKeyTest, PlainHeaderHasNoKey) {
  auto unlocked = UnlockStoreKey(PlainHeader(), Password("old password"), "h");
  EXPECT_EQ(unlocked.status().code(), Status::Code::kFailedPrecondition);
}

TEST_F(StoreKeyTest, EmptyPasswordIsRefused) {
  StoreHeader h = PlainHeader();
  auto master = CreateStoreKey(&h, SecretBytes(), NewKdfParams(KdfStrength::kMinimum));
  EXPECT_EQ(master.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(h.encryption, format::kEncryptionNone);
}

// Any field the wrap authenticates, changed with a valid header checksum, makes the unwrap fail: never a
// different key.
TEST_F(StoreKeyTest, TamperedFieldsFailToUnwrap) {
  auto expect_refused = [&](const StoreHeader& tampered, const char* what) {
    auto d = StoreHeader::Decode(tampered.Encode(), "h");
    ASSERT_TRUE(d.ok()) << what << ": " << d.status().message();
    auto unlocked = UnlockStoreKey(*d, Password("old password"), "h");
    EXPECT_TRUE(unlocked.status().IsWrongPassword()) << what;
  };
  StoreHeader t = header_;
  t.uuid[3] ^= 0x10;
  expect_refused(t, "uuid");
  t = header_;
  t.params.max_chain += 1;
  expect_refused(t, "max_chain");
  t = header_;
  t.params.zstd_level = 4;
  expect_refused(t, "zstd_level");
  t = header_;
  t.key_slot.kdf.salt[0] ^= 0x01;
  expect_refused(t, "salt");
  t = header_;
  t.key_slot.kdf.opslimit = 2;
  expect_refused(t, "opslimit");
  t = header_;
  t.key_slot.kdf.memlimit = 16384;
  expect_refused(t, "memlimit");
  t = header_;
  t.key_slot.nonce[23] ^= 0x80;
  expect_refused(t, "nonce");
  t = header_;
  t.key_slot.wrapped[0] ^= 0x01;
  expect_refused(t, "ciphertext");
  t = header_;
  t.key_slot.wrapped[47] ^= 0x01;
  expect_refused(t, "tag");
}

// The same, byte by byte over the whole body: each one-bit change fails to decode or to unwrap.
TEST_F(StoreKeyTest, EveryBodyBitFlipIsRefused) {
  const std::string good = header_.Encode();
  for (size_t i = 16; i < good.size() - 32; i++) {
    for (int bit : {0, 7}) {
      std::string bad = good.substr(0, good.size() - 32);
      bad[i] ^= static_cast<char>(1 << bit);
      bad += test::Blake2b256(bad);
      auto d = StoreHeader::Decode(bad, "h");
      if (!d.ok()) continue;
      // A flipped high memlimit bit asks Argon2id for gigabytes; a small change of it is tested above.
      if (d->key_slot.kdf.memlimit > (64u << 20)) continue;
      auto unlocked = UnlockStoreKey(*d, Password("old password"), "h");
      if (i == 49) {  // encryption 1 -> 0: a plain header (the key slot is trailing bytes), no key at all
        EXPECT_EQ(unlocked.status().code(), Status::Code::kFailedPrecondition);
      } else {
        EXPECT_TRUE(unlocked.status().IsWrongPassword()) << "byte " << i << " bit " << bit;
      }
    }
  }
}

TEST_F(StoreKeyTest, RewrapKeepsTheMasterKey) {
  auto master = UnlockStoreKey(header_, Password("old password"), "h");
  ASSERT_TRUE(master.ok());
  StoreHeader rewrapped = header_;
  KdfParams kdf = NewKdfParams(KdfStrength::kMinimum);
  kdf.opslimit = 2;
  ASSERT_TRUE(WrapStoreKey(&rewrapped, *master, Password("new password"), kdf).ok());
  EXPECT_NE(rewrapped.key_slot.kdf.salt, header_.key_slot.kdf.salt);
  EXPECT_NE(rewrapped.key_slot.nonce, header_.key_slot.nonce);
  EXPECT_EQ(rewrapped.uuid, header_.uuid);
  const StoreHeader reread = Reread(rewrapped);
  EXPECT_EQ(reread.key_slot.kdf.opslimit, 2u);
  EXPECT_TRUE(UnlockStoreKey(reread, Password("old password"), "h").status().IsWrongPassword());
  auto again = UnlockStoreKey(reread, Password("new password"), "h");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->bytes().view(), master_bytes_);
  EXPECT_EQ(ManualUnwrap(rewrapped.Encode(), "new password"), master_bytes_);
}

}  // namespace
}  // namespace strata
