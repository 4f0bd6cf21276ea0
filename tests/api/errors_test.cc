// Errors come back as values whose message names what they concern: the store, the snapshot, the path.
#include <sys/stat.h>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

bool Names(const Status& s, const std::string& what) { return s.message().find(what) != std::string::npos; }

class ErrorsTest : public BackedUpTest {
 protected:
  ErrorsTest() : BackedUpTest(4) {}
};

TEST_F(ErrorsTest, OpenAndInitNameTheStore) {
  OpenOptions options;
  options.path = dir_.Join("no-store-here");
  auto missing = Repository::Open(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Names(missing.status(), options.path)) << missing.status().message();

  Status exists = Repository::Init(dir_.Join("store"), InitOptions{.encrypted = false});
  EXPECT_EQ(exists.code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(Names(exists, dir_.Join("store"))) << exists.message();

  Status bad = Repository::Init(dir_.Join("other"), InitOptions{.encrypted = false, .pack_size_mib = 0});
  EXPECT_EQ(bad.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Names(bad, dir_.Join("other"))) << bad.message();
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("other")));
}

TEST_F(ErrorsTest, BrowsingNamesSnapshotAndPath) {
  auto no_snapshot = repo_->ListDir("1999-01-01T00.00.00Z", "");
  ASSERT_FALSE(no_snapshot.ok());
  EXPECT_EQ(no_snapshot.status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(Names(no_snapshot.status(), "1999-01-01T00.00.00Z")) << no_snapshot.status().message();

  auto no_path = repo_->Stat("latest", "docs/nothing/here");
  ASSERT_FALSE(no_path.ok());
  EXPECT_EQ(no_path.status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(Names(no_path.status(), "docs/nothing")) << no_path.status().message();

  auto not_dir = repo_->ListDir("latest", "docs/a.bin");
  ASSERT_FALSE(not_dir.ok());
  EXPECT_EQ(not_dir.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Names(not_dir.status(), "docs/a.bin")) << not_dir.status().message();

  auto not_file = repo_->OpenFile("latest", "docs");
  ASSERT_FALSE(not_file.ok());
  EXPECT_EQ(not_file.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Names(not_file.status(), "docs")) << not_file.status().message();
}

TEST_F(ErrorsTest, JobsNameTheirPaths) {
  BackupRequest request;
  request.sources = {dir_.Join("src"), dir_.Join("vanished")};
  auto backup = repo_->Backup(request);
  ASSERT_FALSE(backup.ok());
  EXPECT_TRUE(Names(backup.status(), dir_.Join("vanished"))) << backup.status().message();
  EXPECT_EQ(ManifestFiles(dir_.Join("store")), 1u);

  WriteFile(dir_.Join("a-file"), "x");
  auto restore = repo_->Restore("latest", "docs", dir_.Join("a-file"), RestoreRequest{});
  ASSERT_FALSE(restore.ok());
  EXPECT_TRUE(Names(restore.status(), dir_.Join("a-file"))) << restore.status().message();

  std::filesystem::create_directories(dir_.Join("full"));
  WriteFile(dir_.Join("full/occupied"), "x");
  auto occupied = repo_->Restore("latest", "docs", dir_.Join("full"), RestoreRequest{});
  ASSERT_FALSE(occupied.ok());
  EXPECT_EQ(occupied.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(Names(occupied.status(), dir_.Join("full"))) << occupied.status().message();
}

// Browsing agrees with the source tree as the file system shows it.
TEST_F(ErrorsTest, BrowsingMatchesTheSource) {
  namespace fs = std::filesystem;
  auto listed = repo_->ListDir("latest", "docs");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  std::vector<std::string> names;
  for (const Entry& e : *listed) names.push_back(e.name);
  std::vector<std::string> expected;
  for (const auto& e : fs::directory_iterator(dir_.Join("src/docs")))
    expected.push_back(e.path().filename().string());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);

  struct stat st;
  ASSERT_EQ(lstat(dir_.Join("src/docs/a.bin").c_str(), &st), 0);
  auto entry = repo_->Stat("latest", "docs/a.bin");
  ASSERT_TRUE(entry.ok()) << entry.status().message();
  EXPECT_EQ(entry->type, FileType::kRegular);
  EXPECT_EQ(entry->size, static_cast<uint64_t>(st.st_size));
  EXPECT_EQ(entry->mode, st.st_mode & 07777);
  EXPECT_EQ(entry->uid, st.st_uid);
  EXPECT_EQ(entry->mtime_ns, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec);

  auto link = repo_->Stat("latest", "link");
  ASSERT_TRUE(link.ok()) << link.status().message();
  EXPECT_EQ(link->type, FileType::kSymlink);
  EXPECT_EQ(link->symlink_target, fs::read_symlink(dir_.Join("src/link")).string());

  auto root = repo_->Stat("latest", "/");
  ASSERT_TRUE(root.ok()) << root.status().message();
  EXPECT_EQ(root->type, FileType::kDirectory);
}

}  // namespace
}  // namespace strata::test
