// Repository::Coalesce through the public API, on real backups of a file edited between them: every
// snapshot still restores to the tree as it was backed up (copies kept with plain file calls), progress
// arrives as progress.h promises, and a request without before or max_chain is refused.
#include <filesystem>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

namespace fs = std::filesystem;

class CoalesceApiTest : public BackedUpTest {
 protected:
  CoalesceApiTest() : BackedUpTest(6) {}
};

TEST_F(CoalesceApiTest, ShortensChainsAndEverySnapshotRestores) {
  std::vector<std::string> saved = {dir_.Join("saved0")};
  fs::copy(dir_.Join("src"), saved[0], fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  BackupRequest backup;
  backup.sources = {dir_.Join("src")};
  for (int i = 1; i <= 4; i++) {
    std::string big = ReadFile(dir_.Join("src/big.bin"));
    big.replace(static_cast<size_t>(i) * 500000, 64, RandomBytes(64, 900 + i));
    WriteFile(dir_.Join("src/big.bin"), big);
    ASSERT_TRUE(repo_->Backup(backup).ok());
    saved.push_back(dir_.Join("saved" + std::to_string(i)));
    fs::copy(dir_.Join("src"), saved.back(), fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
  auto history = repo_->Log("big.bin");
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->back().chain_depth, 4u) << "the backups made no chain";

  RecordingObserver progress;
  auto result = repo_->Coalesce(CoalesceRequest{.max_chain = 1}, &progress);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->damaged.empty());
  EXPECT_EQ(result->made_full, 2u);  // depths 0 1 | 2->0 1 | 4->0
  EXPECT_EQ(result->redepthed, 1u);
  EXPECT_EQ(result->deepest_after, 1u);
  progress.ExpectThrottledAndDone();
  EXPECT_EQ(progress.reports().front().phase, ProgressPhase::kCoalescing);
  EXPECT_EQ(progress.reports().back().files_done, 3u);

  history = repo_->Log("big.bin");
  ASSERT_TRUE(history.ok()) << history.status().message();
  for (const PathChange& change : *history) EXPECT_LE(change.chain_depth, 1u) << change.snapshot.name;
  auto snapshots = repo_->ListSnapshots();
  ASSERT_TRUE(snapshots.ok()) << snapshots.status().message();
  ASSERT_EQ(snapshots->size(), saved.size());
  for (size_t i = 0; i < saved.size(); i++) {
    const std::string out = dir_.Join("restored" + std::to_string(i));
    auto restored = repo_->Restore((*snapshots)[i].id, "", out, RestoreRequest{});
    ASSERT_TRUE(restored.ok()) << restored.status().message();
    ExpectSameTree(saved[i], out);
  }
}

TEST_F(CoalesceApiTest, NeedsBeforeOrMaxChain) {
  auto result = repo_->Coalesce(CoalesceRequest{});
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument) << result.status().message();
  result = repo_->Coalesce(CoalesceRequest{.before = "latest", .dry_run = true});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->made_full + result->redepthed, 0u);
}

}  // namespace
}  // namespace strata::test
