#include "src/change_password.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_key.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using format::SubkeyId;

SecretBytes Password(std::string_view pw) { return std::move(SecretBytes::CopyOf(pw)).value(); }

// An encrypted store header written through the API (init makes only plain stores in this version).
class ChangePasswordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Store::Init(env_, store_, StoreParams{}).ok());
    StoreHeader h = *StoreHeader::Decode(test::ReadFile(header_), "h");
    auto master = CreateStoreKey(&h, Password("old"), NewKdfParams(KdfStrength::kMinimum));
    ASSERT_TRUE(master.ok());
    for (SubkeyId id : {SubkeyId::kFrame, SubkeyId::kObjectId, SubkeyId::kCache}) {
      subkeys_.emplace_back(master->Subkey(id)->view());
    }
    test::WriteFile(header_, h.Encode());
  }

  // The subkeys the header on disk gives for `password`, or the unlock error.
  Result<std::vector<std::string>> SubkeysOnDisk(std::string_view password) {
    STRATA_ASSIGN_OR_RETURN(StoreHeader h, StoreHeader::Decode(test::ReadFile(header_), header_));
    STRATA_ASSIGN_OR_RETURN(MasterKey master, UnlockStoreKey(h, Password(password), header_));
    std::vector<std::string> out;
    for (SubkeyId id : {SubkeyId::kFrame, SubkeyId::kObjectId, SubkeyId::kCache}) {
      out.emplace_back(master.Subkey(id)->view());
    }
    return out;
  }

  std::vector<std::string> DirNames() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(store_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  Env* env_ = Env::Default();
  test::TempDir dir_;
  std::string store_ = dir_.Join("s");
  std::string header_ = store_ + "/strata-store";
  std::vector<std::string> subkeys_;
};

TEST_F(ChangePasswordTest, NewPasswordUnlocksTheSameKeys) {
  const auto names = DirNames();
  ASSERT_TRUE(ChangePassword(env_, store_, Password("old"), Password("new"), KdfStrength::kMinimum).ok());
  EXPECT_TRUE(SubkeysOnDisk("old").status().IsWrongPassword());
  auto keys = SubkeysOnDisk("new");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(*keys, subkeys_);
  EXPECT_EQ(DirNames(), names);  // no temporary file left behind

  // And back again, with another strength recorded in the header.
  ASSERT_TRUE(ChangePassword(env_, store_, Password("new"), Password("old"), KdfStrength::kInteractive).ok());
  auto h = StoreHeader::Decode(test::ReadFile(header_), "h");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->key_slot.kdf.opslimit, 2u);
  EXPECT_EQ(h->key_slot.kdf.memlimit, 64u << 20);
  EXPECT_EQ(*SubkeysOnDisk("old"), subkeys_);
  EXPECT_TRUE(SubkeysOnDisk("new").status().IsWrongPassword());
}

TEST_F(ChangePasswordTest, WrongOldPasswordTouchesNothing) {
  const std::string before = test::ReadFile(header_);
  struct stat st_before;
  ASSERT_EQ(stat(header_.c_str(), &st_before), 0);
  Status s = ChangePassword(env_, store_, Password("olde"), Password("new"), KdfStrength::kMinimum);
  ASSERT_TRUE(s.IsWrongPassword());
  EXPECT_EQ(s.message(), header_ + ": wrong password");
  EXPECT_EQ(test::ReadFile(header_), before);
  struct stat st_after;
  ASSERT_EQ(stat(header_.c_str(), &st_after), 0);
  EXPECT_EQ(st_after.st_ino, st_before.st_ino);  // not even rewritten with the same bytes
  EXPECT_EQ(*SubkeysOnDisk("old"), subkeys_);
}

TEST_F(ChangePasswordTest, EmptyNewPasswordIsRefused) {
  const std::string before = test::ReadFile(header_);
  Status s = ChangePassword(env_, store_, Password("old"), SecretBytes(), KdfStrength::kMinimum);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(test::ReadFile(header_), before);
}

TEST_F(ChangePasswordTest, PlainStoreHasNoPassword) {
  const std::string plain = dir_.Join("plain");
  ASSERT_TRUE(Store::Init(env_, plain, StoreParams{}).ok());
  const std::string before = test::ReadFile(plain + "/strata-store");
  Status s = ChangePassword(env_, plain, Password("old"), Password("new"), KdfStrength::kMinimum);
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("not encrypted"), std::string::npos) << s.message();
  EXPECT_EQ(test::ReadFile(plain + "/strata-store"), before);
}

TEST_F(ChangePasswordTest, MissingOrDamagedHeader) {
  Status missing =
      ChangePassword(env_, dir_.Join("nothing"), Password("a"), Password("b"), KdfStrength::kMinimum);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find(dir_.Join("nothing")), std::string::npos) << missing.message();
  std::string bytes = test::ReadFile(header_);
  bytes[60] ^= 1;
  test::WriteFile(header_, bytes);
  Status damaged = ChangePassword(env_, store_, Password("old"), Password("new"), KdfStrength::kMinimum);
  EXPECT_TRUE(damaged.IsCorruption()) << damaged.message();
  EXPECT_EQ(test::ReadFile(header_), bytes);
}

}  // namespace
}  // namespace strata
