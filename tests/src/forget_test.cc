// Forget on a real store, with snapshots at times of the test's choosing: one backup is made, and copies
// of its manifest are committed with other times (each copy is a snapshot of the same tree). The oracles
// are the store's directories, listed with plain file calls, the hand-worked calendar, and the backed-up
// file's bytes.
#include "src/forget.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "src/backup.h"
#include "store/lock.h"
#include "tests/testutil.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

int64_t At(int year, int month, int day, int hour = 12) {
  struct tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  return int64_t{timegm(&tm)} * 1000000000;
}

class ForgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Store::Init(Env::Default(), store_path_, StoreParams{}).ok());
    auto opened = Store::Open(Env::Default(), store_path_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    fs::create_directories(dir_.Join("src"));
    test::WriteFile(dir_.Join("src/file"), content_);
    BackupOptions backup;
    backup.sources = {dir_.Join("src")};
    auto made = RunBackup(store_.get(), backup);
    ASSERT_TRUE(made.ok()) << made.status().message();
    base_ = made->manifest;
    // Only the snapshots the test makes count.
    fs::remove(store_path_ + "/snapshots/" + base_.id.Hex() + ".snap");
  }

  // A snapshot of the backed-up tree at `time_ns`; its id in hex.
  std::string SnapshotAt(int64_t time_ns) {
    Manifest m = base_;
    m.time_ns = time_ns;
    EXPECT_TRUE(store_->CommitManifest(&m).ok());
    return m.id.Hex();
  }

  // The ids of the manifest files in snapshots/.
  std::set<std::string> ManifestIds() const {
    std::set<std::string> ids;
    for (const auto& e : fs::directory_iterator(store_path_ + "/snapshots")) {
      const std::string name = e.path().filename().string();
      if (name.ends_with(".snap")) ids.insert(name.substr(0, name.size() - 5));
    }
    return ids;
  }

  // Every file under packs/ with its size.
  std::map<std::string, uintmax_t> Packs() const {
    std::map<std::string, uintmax_t> packs;
    for (const auto& e : fs::recursive_directory_iterator(store_path_ + "/packs")) {
      if (e.is_regular_file()) packs[e.path().string()] = e.file_size();
    }
    return packs;
  }

  size_t LockFiles() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(store_path_ + "/locks"), {}));
  }

  // The backed-up file, read through snapshot `id`.
  std::string ReadThrough(const std::string& id) {
    auto snapshot = store_->FindSnapshot(id);
    if (!snapshot.ok()) return "(" + snapshot.status().message() + ")";
    auto entry = store_->Lookup(snapshot->manifest, "file");
    if (!entry.ok()) return "(" + entry.status().message() + ")";
    std::string out;
    Status s = store_->ReadVersion(entry->ref, 0, content_.size() + 1, &out);
    return s.ok() ? out : "(" + s.message() + ")";
  }

  Result<ForgetPlan> Forget(ForgetRequest request) {
    ForgetOptions options;
    options.request = std::move(request);
    return RunForget(store_.get(), options);
  }

  test::TempDir dir_;
  const std::string store_path_ = dir_.Join("store");
  const std::string content_ = test::RandomBytes(200000, 7);
  std::unique_ptr<Store> store_;
  Manifest base_;
};

std::vector<std::string> Ids(const std::vector<SnapshotInfo>& list) {
  std::vector<std::string> ids;
  ids.reserve(list.size());
  for (const SnapshotInfo& s : list) ids.push_back(s.manifest.id.Hex());
  return ids;
}

TEST_F(ForgetTest, APolicyRemovesExactlyTheManifestsItDoesNotKeep) {
  // Sunday 2026-11-01 to Tuesday 2026-11-10, one a day, and a second one on the 10th.
  std::vector<std::string> ids;
  for (int day = 1; day <= 10; day++) ids.push_back(SnapshotAt(At(2026, 11, day)));
  ids.push_back(SnapshotAt(At(2026, 11, 10, 18)));
  const auto packs = Packs();
  ASSERT_FALSE(packs.empty());

  ForgetRequest request;
  request.policy = RetentionPolicy{.keep_last = 1, .keep_daily = 3, .keep_weekly = 2};
  auto plan = Forget(request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  // last: the 10th at 18:00; daily: it, the 9th, the 8th; weekly: it (Nov 9-15) and the 8th (Nov 2-8).
  const std::set<std::string> kept = {ids[10], ids[8], ids[7]};
  EXPECT_EQ(ManifestIds(), kept);
  ASSERT_EQ(plan->kept.size(), 3u);
  EXPECT_EQ(plan->kept[0].snapshot.manifest.id.Hex(), ids[7]);
  EXPECT_EQ(plan->kept[0].rules, keep_rule::kDaily | keep_rule::kWeekly);
  EXPECT_EQ(plan->kept[1].snapshot.manifest.id.Hex(), ids[8]);
  EXPECT_EQ(plan->kept[1].rules, keep_rule::kDaily);
  EXPECT_EQ(plan->kept[2].snapshot.manifest.id.Hex(), ids[10]);
  EXPECT_EQ(plan->kept[2].rules, keep_rule::kLast | keep_rule::kDaily | keep_rule::kWeekly);
  EXPECT_EQ(Ids(plan->forgotten),
            (std::vector<std::string>{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[9]}));
  EXPECT_EQ(Packs(), packs) << "forget must not touch packs";
  EXPECT_EQ(LockFiles(), 0u);
  for (const std::string& id : kept) EXPECT_TRUE(ReadThrough(id) == content_) << id;

  // The same policy again finds nothing more to forget.
  auto again = Forget(request);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->forgotten.empty());
  EXPECT_EQ(ManifestIds(), kept);
}

TEST_F(ForgetTest, NamedSnapshotsGoAndAnUnknownOneRemovesNothing) {
  const std::string a = SnapshotAt(At(2026, 1, 1));
  const std::string b = SnapshotAt(At(2026, 1, 2));
  const std::string c = SnapshotAt(At(2026, 1, 3));
  ForgetRequest request;
  request.snapshots = {a.substr(0, 8), "no-such-snapshot"};
  auto refused = Forget(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsNotFound()) << refused.status().message();
  EXPECT_NE(refused.status().message().find("no-such-snapshot"), std::string::npos);
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{a, b, c}));

  // By id prefix and by name, one named twice.
  request.snapshots = {a.substr(0, 8), "2026-01-03T12.00.00Z", c};
  auto plan = Forget(request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{b}));
  EXPECT_EQ(Ids(plan->forgotten), (std::vector<std::string>{a, c}));
  ASSERT_EQ(plan->kept.size(), 1u);
  EXPECT_EQ(plan->kept[0].rules, 0u);
  EXPECT_TRUE(ReadThrough(b) == content_);
}

TEST_F(ForgetTest, ALiveLockRefusesAllButADryRun) {
  const std::string a = SnapshotAt(At(2026, 1, 1));
  const std::string b = SnapshotAt(At(2026, 1, 2));
  auto backup = StoreLock::Acquire(Env::Default(), store_path_, LockKind::kShared, "backup", {});
  ASSERT_TRUE(backup.ok()) << backup.status().message();

  ForgetRequest request;
  request.policy = RetentionPolicy{.keep_last = 1};
  auto refused = Forget(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("is in use by backup, host "), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{a, b}));
  EXPECT_EQ(LockFiles(), 1u) << "the refused forget left its lock";

  request.dry_run = true;
  auto dry = Forget(request);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  EXPECT_EQ(Ids(dry->forgotten), (std::vector<std::string>{a}));
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{a, b}));

  ASSERT_TRUE((*backup)->Release().ok());
  request.dry_run = false;
  auto plan = Forget(request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{b}));
}

TEST_F(ForgetTest, APolicyThatKeepsNothingNeedsForce) {
  const std::string a = SnapshotAt(At(2026, 1, 1));
  const std::string b = SnapshotAt(At(2026, 1, 2));
  ForgetRequest request;
  request.policy = RetentionPolicy{};
  auto refused = Forget(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("keeps none of its 2 snapshots"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{a, b}));

  request.force = true;
  auto plan = Forget(request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(ManifestIds().empty());
  EXPECT_EQ(plan->forgotten.size(), 2u);
}

TEST_F(ForgetTest, SnapshotsAndAPolicyTogetherOrNeitherAreInvalid) {
  const std::string a = SnapshotAt(At(2026, 1, 1));
  ForgetRequest request;
  EXPECT_EQ(Forget(request).status().code(), Status::Code::kInvalidArgument);
  request.snapshots = {a};
  request.policy = RetentionPolicy{.keep_last = 1};
  auto both = Forget(request);
  EXPECT_EQ(both.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(both.status().message().find("not both"), std::string::npos) << both.status().message();
  EXPECT_EQ(ManifestIds(), (std::set<std::string>{a}));
}

}  // namespace
}  // namespace strata
