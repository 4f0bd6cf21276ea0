// Repository::Forget through the public API, on real backups: what it reports agrees with the manifest
// files left on disk, the Repository's own snapshot list and browsing follow at once, and what is kept
// still reads back as the source files (read with plain file calls).
#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

std::vector<std::string> Ids(const std::vector<Snapshot>& list) {
  std::vector<std::string> ids;
  ids.reserve(list.size());
  for (const Snapshot& s : list) ids.push_back(s.id);
  return ids;
}

TEST(ForgetApiTest, KeepLastForgetsTheOlderSnapshots) {
  TempDir dir;
  MakeTree(dir.Join("src"), 3);
  const std::string store = dir.Join("store");
  InitPlain(store);
  auto repo = OpenRepo(store);
  ASSERT_TRUE(repo);
  BackupRequest backup;
  backup.sources = {dir.Join("src")};
  std::vector<std::string> made;
  for (int i = 0; i < 3; i++) {
    auto summary = repo->Backup(backup);
    ASSERT_TRUE(summary.ok()) << summary.status().message();
    made.push_back(summary->snapshot_id);
  }
  ASSERT_EQ(ManifestFiles(store), 3u);

  ForgetRequest request;
  request.policy = RetentionPolicy{.keep_last = 1, .keep_yearly = 1};
  request.dry_run = true;
  auto dry = repo->Forget(request);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  EXPECT_EQ(Ids(dry->forgotten), (std::vector<std::string>{made[0], made[1]}));
  EXPECT_EQ(ManifestFiles(store), 3u);

  request.dry_run = false;
  auto result = repo->Forget(request);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(Ids(result->forgotten), (std::vector<std::string>{made[0], made[1]}));
  ASSERT_EQ(result->kept.size(), 1u);
  EXPECT_EQ(result->kept[0].snapshot.id, made[2]);
  EXPECT_EQ(result->kept[0].rules, keep_rule::kLast | keep_rule::kYearly);
  EXPECT_EQ(KeepRuleNames(result->kept[0].rules), (std::vector<std::string>{"last", "yearly"}));
  EXPECT_EQ(ManifestFiles(store), 1u);

  auto list = repo->ListSnapshots();
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(Ids(*list), (std::vector<std::string>{made[2]}));
  EXPECT_TRUE(repo->Stat(made[0], "readme.txt").status().IsNotFound());
  const std::string out = dir.Join("restored");
  auto restored = repo->Restore(made[2], "", out, RestoreRequest{});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ExpectSameTree(dir.Join("src"), out);
}

class ForgetOneBackupTest : public BackedUpTest {
 protected:
  ForgetOneBackupTest() : BackedUpTest(4) {}
};

TEST_F(ForgetOneBackupTest, AnUnknownSnapshotForgetsNothing) {
  auto snapshots = repo_->ListSnapshots();
  ASSERT_TRUE(snapshots.ok() && snapshots->size() == 1);
  ForgetRequest request;
  request.snapshots = {snapshots->front().id, "ffffffffffff"};
  auto result = repo_->Forget(request);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsNotFound()) << result.status().message();
  EXPECT_EQ(ManifestFiles(dir_.Join("store")), 1u);
}

}  // namespace
}  // namespace strata::test
