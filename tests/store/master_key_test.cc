#include "store/master_key.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>
#include <string>

namespace strata {
namespace {

using format::SubkeyId;

// crypto_kdf straight from libsodium, context "strata01" as strata-store(5) documents it.
std::string ReferenceSubkey(const SecretBytes& master, uint64_t id) {
  std::string out(32, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(out.data()), out.size(), id, "strata01",
                             master.data());
  return out;
}

TEST(MasterKeyTest, GeneratedKeysAreRandom) {
  auto a = MasterKey::Generate();
  auto b = MasterKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes().size(), 32u);
  EXPECT_FALSE(a->bytes().Equals(b->bytes()));
  EXPECT_EQ(sodium_is_zero(a->bytes().data(), 32), 0);
}

TEST(MasterKeyTest, SubkeysAreCryptoKdfAndDifferPerId) {
  auto master = MasterKey::Generate();
  ASSERT_TRUE(master.ok());
  std::set<std::string> seen;
  for (SubkeyId id : {SubkeyId::kFrame, SubkeyId::kObjectId, SubkeyId::kCache}) {
    auto k = master->Subkey(id);
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->view(), ReferenceSubkey(master->bytes(), static_cast<uint64_t>(id)));
    EXPECT_NE(k->view(), master->bytes().view());
    seen.insert(std::string(k->view()));
    // Stable: the same id gives the same key again.
    EXPECT_TRUE(k->Equals(*master->Subkey(id)));
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(static_cast<uint64_t>(SubkeyId::kFrame), 1u);
  EXPECT_EQ(static_cast<uint64_t>(SubkeyId::kObjectId), 2u);
  EXPECT_EQ(static_cast<uint64_t>(SubkeyId::kCache), 3u);
}

TEST(MasterKeyTest, FromBytesTakesExactlyAKey) {
  auto key = MasterKey::FromBytes(std::move(SecretBytes::CopyOf(std::string(32, '\x07'))).value());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->bytes().view(), std::string(32, '\x07'));
  EXPECT_EQ(
      MasterKey::FromBytes(std::move(SecretBytes::CopyOf(std::string(31, 'x'))).value()).status().code(),
      Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace strata
