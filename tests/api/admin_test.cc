// Repository::Inspect, ChangePassword and Unlock, checked against the header's bytes (strata-store(5),
// HEADER) and against which passwords open the store afterwards.
#include <cstdio>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

PasswordCallback Fixed(const std::string& password) {
  return [password]() -> Result<std::string> { return password; };
}

Status OpenStatus(const std::string& path, const std::string& password) {
  OpenOptions options;
  options.path = path;
  options.password = Fixed(password);
  return Repository::Open(options).status();
}

std::string HeaderBytes(const std::string& store) { return ReadFile(store + "/strata-store"); }

TEST(AdminTest, InspectReportsWhatTheHeaderSays) {
  TempDir dir;
  InitOptions init;
  init.encrypted = false;
  init.frame_size_kib = 32;
  init.pack_size_mib = 8;
  init.max_chain = 7;
  init.compression_level = 5;
  ASSERT_TRUE(Repository::Init(dir.Join("store"), init).ok());
  auto info = Repository::Inspect(dir.Join("store"));
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_FALSE(info->encrypted);
  EXPECT_EQ(info->frame_size_kib, 32u);
  EXPECT_EQ(info->pack_size_mib, 8u);
  EXPECT_EQ(info->max_chain, 7u);
  EXPECT_EQ(info->compression_level, 5);
  // The id is the UUID at bytes 16..31, and byte 32 the frame size's log2.
  const std::string header = HeaderBytes(dir.Join("store"));
  ASSERT_GE(header.size(), 33u);
  std::string hex;
  for (int i = 16; i < 32; i++) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(header[i]));
    hex += b;
    if (i == 19 || i == 21 || i == 23 || i == 25) hex += '-';
  }
  EXPECT_EQ(info->id, hex);
  EXPECT_EQ(header[32], 15);

  init.frame_size_kib = 48;
  Status bad = Repository::Init(dir.Join("other"), init);
  EXPECT_EQ(bad.code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.Join("other")));
  EXPECT_FALSE(Repository::Inspect(dir.Join("missing")).ok());
}

TEST(AdminTest, ChangePasswordRewrapsTheKey) {
  TempDir dir;
  const std::string store = dir.Join("store");
  InitOptions init;
  init.key_strength = KeyStrength::kMinimum;
  init.password = Fixed("old password");
  ASSERT_TRUE(Repository::Init(store, init).ok());
  ASSERT_TRUE(Repository::Inspect(store)->encrypted);

  const std::string before = HeaderBytes(store);
  Status wrong =
      Repository::ChangePassword(store, Fixed("not it"), Fixed("new password"), KeyStrength::kMinimum);
  EXPECT_EQ(wrong.code(), Status::Code::kWrongPassword) << wrong.message();
  EXPECT_EQ(HeaderBytes(store), before);

  Status s =
      Repository::ChangePassword(store, Fixed("old password"), Fixed("new password"), KeyStrength::kMinimum);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_NE(HeaderBytes(store), before);
  EXPECT_EQ(OpenStatus(store, "old password").code(), Status::Code::kWrongPassword);
  EXPECT_TRUE(OpenStatus(store, "new password").ok());

  InitPlain(dir.Join("plain"));
  bool asked = false;
  PasswordCallback never = [&asked]() -> Result<std::string> {
    asked = true;
    return std::string("x");
  };
  EXPECT_EQ(Repository::ChangePassword(dir.Join("plain"), never, never).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_FALSE(asked) << "a plain store asked for a password";
}

TEST(AdminTest, UnlockRemovesAStaleLockAndKeepsNothingElse) {
  TempDir dir;
  InitPlain(dir.Join("store"));
  auto repo = OpenRepo(dir.Join("store"));
  ASSERT_TRUE(repo);
  auto empty = repo->Unlock(false);
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty->locks.empty());
  // A lock file that cannot be read is stale: its writer can never refresh it (name: strata-store(5), LOCKS).
  const std::string lock = dir.Join("store/locks/0123456789abcdef0123456789abcdef.lock");
  WriteFile(lock, "garbage");
  auto report = repo->Unlock(false);
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_EQ(report->locks.size(), 1u);
  EXPECT_TRUE(report->locks[0].removed);
  EXPECT_EQ(report->locks[0].file, "locks/0123456789abcdef0123456789abcdef.lock");
  EXPECT_FALSE(report->locks[0].stale.empty());
  EXPECT_FALSE(std::filesystem::exists(lock));
}

}  // namespace
}  // namespace strata::test
