#include "store/password_kdf.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace strata {
namespace {

// Argon2id straight from libsodium: the reference DeriveKek is checked against.
std::string ReferenceKek(std::string_view password, const KdfParams& p) {
  std::string out(32, '\0');
  EXPECT_EQ(
      crypto_pwhash(reinterpret_cast<unsigned char*>(out.data()), out.size(), password.data(),
                    password.size(), p.salt.data(), p.opslimit, p.memlimit, crypto_pwhash_ALG_ARGON2ID13),
      0);
  return out;
}

SecretBytes Password(std::string_view pw) { return std::move(SecretBytes::CopyOf(pw)).value(); }

TEST(PasswordKdfTest, StrengthNames) {
  for (auto [name, strength] : {std::pair{"minimum", KdfStrength::kMinimum},
                                {"interactive", KdfStrength::kInteractive},
                                {"moderate", KdfStrength::kModerate},
                                {"sensitive", KdfStrength::kSensitive}}) {
    auto parsed = ParseKdfStrength(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, strength);
    EXPECT_EQ(KdfStrengthName(strength), name);
  }
  auto bad = ParseKdfStrength("strong");
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("strong"), std::string::npos);
}

TEST(PasswordKdfTest, PresetsAreLibsodiumsArgon2idPresets) {
  struct Case {
    KdfStrength strength;
    unsigned long long ops;
    size_t mem;
  };
  for (const Case& c :
       {Case{KdfStrength::kMinimum, 1, 8192},
        Case{KdfStrength::kInteractive, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
             crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE},
        Case{KdfStrength::kModerate, 3, 256u << 20}, Case{KdfStrength::kSensitive, 4, 1u << 30}}) {
    KdfParams p = NewKdfParams(c.strength);
    EXPECT_EQ(p.opslimit, c.ops);
    EXPECT_EQ(p.memlimit, c.mem);
    EXPECT_TRUE(p.InRange());
  }
  EXPECT_EQ(kDefaultKdfStrength, KdfStrength::kModerate);
}

TEST(PasswordKdfTest, SaltsAreFresh) {
  EXPECT_NE(NewKdfParams(KdfStrength::kMinimum).salt, NewKdfParams(KdfStrength::kMinimum).salt);
}

TEST(PasswordKdfTest, KekIsArgon2idOfPasswordAndSalt) {
  KdfParams p = NewKdfParams(KdfStrength::kMinimum);
  auto kek = DeriveKek(Password("hunter2"), p);
  ASSERT_TRUE(kek.ok()) << kek.status().message();
  EXPECT_EQ(kek->view(), ReferenceKek("hunter2", p));

  p.opslimit = 2;
  p.memlimit = 64 << 10;
  auto stronger = DeriveKek(Password("hunter2"), p);
  ASSERT_TRUE(stronger.ok());
  EXPECT_EQ(stronger->view(), ReferenceKek("hunter2", p));
  EXPECT_NE(stronger->view(), kek->view());

  auto other_password = DeriveKek(Password("hunter3"), p);
  ASSERT_TRUE(other_password.ok());
  EXPECT_NE(other_password->view(), stronger->view());
  p.salt[15] ^= 1;
  auto other_salt = DeriveKek(Password("hunter2"), p);
  ASSERT_TRUE(other_salt.ok());
  EXPECT_NE(other_salt->view(), stronger->view());
}

TEST(PasswordKdfTest, RangeIsChecked) {
  const KdfParams good = NewKdfParams(KdfStrength::kMinimum);
  struct Case {
    uint32_t ops;
    uint64_t mem;
    bool ok;
  };
  for (const Case& c : {Case{1, 8192, true}, Case{64, 8192, true}, Case{1, 16ull << 30, true},
                        Case{0, 8192, false}, Case{65, 8192, false}, Case{1, 7168, false},
                        Case{1, (16ull << 30) + 1024, false}, Case{1, 8192 + 512, false}}) {
    KdfParams p = good;
    p.opslimit = c.ops;
    p.memlimit = c.mem;
    EXPECT_EQ(p.InRange(), c.ok) << c.ops << " " << c.mem;
    if (!c.ok) {
      EXPECT_FALSE(DeriveKek(Password("pw"), p).ok()) << c.ops << " " << c.mem;
    }
  }
}

}  // namespace
}  // namespace strata
