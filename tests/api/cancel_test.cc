// Cancelling jobs: a cancelled backup leaves no snapshot (the store's snapshots/ directory is the oracle)
// and no damage (the next backup restores byte for byte); restore and check stop with kCancelled.
#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

// Cancels the job at its first report, as a user pressing Cancel once the progress bar moves.
class CancelAtFirstReport : public ProgressObserver {
 public:
  explicit CancelAtFirstReport(CancelToken* token) : token_(token) {}
  void OnProgress(const Progress& progress) override {
    reports.push_back(progress);
    token_->Cancel();
  }
  std::vector<Progress> reports;

 private:
  CancelToken* token_;
};

// Many small files and one thread, so that the walk is far from done at the first report.
std::string MakeManyFiles(const TempDir& dir) {
  std::string root = dir.Join("src");
  std::filesystem::create_directories(root);
  for (int i = 0; i < 400; i++) WriteFile(root + "/f" + std::to_string(i), RandomBytes(5000, i));
  return root;
}

TEST(CancelTest, CancelledBackupLeavesNoSnapshotAndTheNextBackupIsWhole) {
  TempDir dir;
  const std::string src = MakeManyFiles(dir);
  InitPlain(dir.Join("store"));
  auto repo = OpenRepo(dir.Join("store"));
  ASSERT_TRUE(repo);
  BackupRequest request;
  request.sources = {src};
  request.threads = 1;

  CancelToken token;
  CancelAtFirstReport observer(&token);
  auto cancelled = repo->Backup(request, &observer, &token);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), Status::Code::kCancelled) << cancelled.status().message();
  EXPECT_FALSE(observer.reports.empty());
  EXPECT_EQ(ManifestFiles(dir.Join("store")), 0u);
  auto listed = repo->ListSnapshots();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());

  // Cancelled before it starts: nothing either.
  auto never = repo->Backup(request, nullptr, &token);
  EXPECT_EQ(never.status().code(), Status::Code::kCancelled);
  EXPECT_EQ(ManifestFiles(dir.Join("store")), 0u);

  auto made = repo->Backup(request);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(ManifestFiles(dir.Join("store")), 1u);
  auto restored = repo->Restore("latest", "", dir.Join("out"), RestoreRequest{});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->errors, 0u);
  ExpectSameTree(src, dir.Join("out"));
}

TEST(CancelTest, CancelledRestoreAndCheckStop) {
  TempDir dir;
  const std::string src = MakeManyFiles(dir);
  InitPlain(dir.Join("store"));
  auto repo = OpenRepo(dir.Join("store"));
  ASSERT_TRUE(repo);
  BackupRequest request;
  request.sources = {src};
  ASSERT_TRUE(repo->Backup(request).ok());

  CancelToken token;
  CancelAtFirstReport observer(&token);
  auto restored = repo->Restore("latest", "", dir.Join("out"), RestoreRequest{}, &observer, &token);
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), Status::Code::kCancelled);
  EXPECT_NE(restored.status().message().find(dir.Join("out")), std::string::npos)
      << restored.status().message();
  // It stopped early: fewer files than the source has (the first report comes before the first file).
  EXPECT_LT(RegularFiles(dir.Join("out")).size(), RegularFiles(src).size());

  auto checked = repo->Check(CheckRequest{}, nullptr, &token);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().code(), Status::Code::kCancelled);
}

}  // namespace
}  // namespace strata::test
