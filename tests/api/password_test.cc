// An encrypted store through the password callback: the right password opens it, a wrong one is
// kWrongPassword, the callback's own error is passed on, and a plain store never asks.
#include <atomic>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

PasswordCallback Password(const std::string& password, std::atomic<int>* asked) {
  return [password, asked]() -> Result<std::string> {
    (*asked)++;
    return password;
  };
}

std::unique_ptr<Repository> OpenWith(const std::string& path, PasswordCallback password, Status* status) {
  OpenOptions options;
  options.path = path;
  options.password = std::move(password);
  auto repo = Repository::Open(options);
  *status = repo.status();
  return repo.ok() ? std::move(repo).value() : nullptr;
}

// Every file under `dir`, read with plain file calls, searched for `needle`.
bool AnyFileHolds(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ReadFile(e.path().string()).find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(PasswordTest, EncryptedStoreThroughTheCallback) {
  TempDir dir;
  const std::string store = dir.Join("store");
  std::atomic<int> asked{0};
  InitOptions init;
  init.key_strength = KeyStrength::kMinimum;
  init.password = Password("correct horse", &asked);
  Status made = Repository::Init(store, init);
  ASSERT_TRUE(made.ok()) << made.message();
  EXPECT_EQ(asked.load(), 1);

  Status s;
  auto repo = OpenWith(store, Password("correct horse", &asked), &s);
  ASSERT_TRUE(repo) << s.message();
  EXPECT_EQ(asked.load(), 2);
  EXPECT_TRUE(repo->encrypted());
  const std::string secret = "plaintext that must not reach the disk " + std::string(200, 'x');
  std::filesystem::create_directories(dir.Join("src"));
  WriteFile(dir.Join("src/note.txt"), secret);
  BackupRequest request;
  request.sources = {dir.Join("src")};
  auto backup = repo->Backup(request);
  ASSERT_TRUE(backup.ok()) << backup.status().message();
  EXPECT_FALSE(AnyFileHolds(store, "plaintext that must not"));
  EXPECT_FALSE(AnyFileHolds(store, "note.txt"));
  auto reader = repo->OpenFile("latest", "note.txt");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  std::string got;
  ASSERT_TRUE((*reader)->Read(0, 1 << 20, &got).ok());
  EXPECT_TRUE(got == secret);

  EXPECT_FALSE(OpenWith(store, Password("wrong horse", &asked), &s));
  EXPECT_EQ(s.code(), Status::Code::kWrongPassword) << s.message();
  EXPECT_FALSE(OpenWith(store, {}, &s));
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.message();
  EXPECT_FALSE(OpenWith(
      store, [] { return Result<std::string>(Status::Cancelled("dialog closed")); }, &s));
  EXPECT_EQ(s.code(), Status::Code::kCancelled) << s.message();
  EXPECT_FALSE(OpenWith(store, Password("", &asked), &s));
  EXPECT_FALSE(s.ok());
}

TEST(PasswordTest, PlainStoresNeverAskAndEncryptedOnesNeedAPassword) {
  TempDir dir;
  InitPlain(dir.Join("plain"));
  std::atomic<int> asked{0};
  Status s;
  auto repo = OpenWith(dir.Join("plain"), Password("unused", &asked), &s);
  ASSERT_TRUE(repo) << s.message();
  EXPECT_FALSE(repo->encrypted());
  EXPECT_EQ(asked.load(), 0);

  Status none = Repository::Init(dir.Join("enc"), InitOptions{});
  EXPECT_EQ(none.code(), Status::Code::kInvalidArgument) << none.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Join("enc/strata-store")));
}

}  // namespace
}  // namespace strata::test
