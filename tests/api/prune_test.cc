// Repository::Prune through the public API, on real backups. The oracles are the store's files as the file
// system lists them (what a prune reports as before and after is what is on disk, and a dry run leaves every
// file as it was) and the source trees, read with plain file calls (what is kept restores exactly).
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <map>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

namespace fs = std::filesystem;

// Every file of the store's packs/ and index/ with its size, by path.
std::map<std::string, uint64_t> StoreFiles(const std::string& store) {
  std::map<std::string, uint64_t> files;
  for (const char* dir : {"/packs", "/index"}) {
    for (const auto& e : fs::recursive_directory_iterator(store + dir)) {
      if (e.is_regular_file()) files[e.path().string()] = e.file_size();
    }
  }
  return files;
}

uint64_t Bytes(const std::map<std::string, uint64_t>& files) {
  uint64_t total = 0;
  for (const auto& [path, size] : files) total += size;
  return total;
}

size_t Count(const std::map<std::string, uint64_t>& files, const std::string& suffix) {
  return static_cast<size_t>(
      std::count_if(files.begin(), files.end(), [&](const auto& kv) { return kv.first.ends_with(suffix); }));
}

// One backup of the fixture's tree, then a second one of the tree without its two largest files (and with
// a new one): once the first snapshot is forgotten, those two files are garbage.
class PruneTest : public BackedUpTest {
 protected:
  PruneTest() : BackedUpTest(11) {}
  void SetUp() override {
    BackedUpTest::SetUp();
    auto first = repo_->ListSnapshots();
    ASSERT_TRUE(first.ok() && first->size() == 1);
    first_ = first->front().id;
    fs::remove(dir_.Join("src/big.bin"));
    fs::remove(dir_.Join("src/docs/a.bin"));
    fs::remove(dir_.Join("src/link"));
    WriteFile(dir_.Join("src/new.bin"), RandomBytes(40000, 12));
    BackupRequest request;
    request.sources = {dir_.Join("src")};
    auto made = repo_->Backup(request);
    ASSERT_TRUE(made.ok()) << made.status().message();
    second_ = made->snapshot_id;
  }

  void ForgetFirst() {
    ForgetRequest forget;
    forget.snapshots = {first_};
    ASSERT_TRUE(repo_->Forget(forget).ok());
  }

  void ExpectSecondRestores() {
    const std::string out = dir_.Join("restored-" + std::to_string(restores_++));
    auto restored = repo_->Restore(second_, "", out, RestoreRequest{});
    ASSERT_TRUE(restored.ok()) << restored.status().message();
    EXPECT_EQ(restored->errors, 0u);
    ExpectSameTree(dir_.Join("src"), out);
  }

  std::string Store() const { return dir_.Join("store"); }

  std::string first_;
  std::string second_;
  int restores_ = 0;
};

TEST_F(PruneTest, RemovesWhatNoSnapshotUsesAndKeepsTheRest) {
  ForgetFirst();
  const auto before = StoreFiles(Store());
  RecordingObserver progress;
  auto result = repo_->Prune(PruneRequest{}, &progress);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const auto after = StoreFiles(Store());

  EXPECT_EQ(result->snapshots, 1u);
  EXPECT_EQ(result->bytes_before, Bytes(before));
  EXPECT_EQ(result->bytes_after, Bytes(after));
  EXPECT_EQ(result->packs_before, Count(before, ".pack"));
  EXPECT_EQ(result->packs_after, Count(after, ".pack"));
  EXPECT_EQ(result->index_files_before, Count(before, ".idx"));
  EXPECT_EQ(result->index_files_after, 1u);
  EXPECT_EQ(Count(after, ".idx"), 1u);
  // The two removed files held 3.3 MB of random bytes: all of it goes.
  EXPECT_GT(Bytes(before) - Bytes(after), uint64_t{3 << 20});
  EXPECT_GE(result->objects_removed, 2u);
  EXPECT_GE(result->packs_repacked + result->packs_deleted, 1u) << "the first backup's packs";
  progress.ExpectThrottledAndDone();
  EXPECT_EQ(progress.reports().front().phase, ProgressPhase::kMarking);
  ExpectSecondRestores();
  auto check = repo_->Check(CheckRequest{.read_data = true});
  ASSERT_TRUE(check.ok()) << check.status().message();
  EXPECT_TRUE(check->damaged.empty());

  // A second prune finds nothing to do and changes nothing.
  auto again = repo_->Prune(PruneRequest{});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->packs_deleted + again->packs_repacked + again->objects_removed, 0u);
  EXPECT_EQ(again->bytes_reclaimed(), 0u);
  EXPECT_EQ(StoreFiles(Store()), after);
}

TEST_F(PruneTest, ADryRunChangesNothingAndForetellsTheRun) {
  ForgetFirst();
  const auto before = StoreFiles(Store());
  PruneRequest request;
  request.dry_run = true;
  auto dry = repo_->Prune(request);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  EXPECT_EQ(StoreFiles(Store()), before);
  auto run = repo_->Prune(PruneRequest{});
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(dry->objects_removed, run->objects_removed);
  EXPECT_EQ(dry->packs_deleted, run->packs_deleted);
  EXPECT_EQ(dry->packs_repacked, run->packs_repacked);
  EXPECT_EQ(dry->packs_written, run->packs_written);
  EXPECT_EQ(dry->bytes_copied, run->bytes_copied);
  EXPECT_EQ(dry->bytes_before, run->bytes_before);
  // The estimate of a repack is within 100 bytes a pack of the real one.
  EXPECT_NEAR(static_cast<double>(dry->bytes_after), static_cast<double>(run->bytes_after),
              100.0 * static_cast<double>(run->packs_after));
}

TEST_F(PruneTest, NoRepackAtAHundredPercent) {
  ForgetFirst();
  PruneRequest request;
  request.max_unused_percent = 100;
  auto result = repo_->Prune(request);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->packs_repacked, 0u);
  EXPECT_EQ(result->packs_written, 0u);
  ExpectSecondRestores();
}

TEST_F(PruneTest, EverySnapshotKeptMeansNothingToDo) {
  const auto before = StoreFiles(Store());
  auto result = repo_->Prune(PruneRequest{});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->snapshots, 2u);
  EXPECT_EQ(result->packs_deleted + result->packs_repacked, 0u);
  EXPECT_EQ(StoreFiles(Store()), before);
}

TEST_F(PruneTest, ALiveLockRefusesAndChangesNothing) {
  ForgetFirst();
  const auto before = StoreFiles(Store());
  {
    std::ofstream lock(Store() + "/locks/0123456789abcdef0123456789abcdef.lock");
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const long now = static_cast<long>(time(nullptr));
    lock << "strata-lock 1\nkind shared\ncommand backup\nhost " << host << "\npid " << getpid()
         << "\nstarted " << now << "\nrefreshed " << now << "\n";
  }
  auto result = repo_->Prune(PruneRequest{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kFailedPrecondition) << result.status().message();
  EXPECT_NE(result.status().message().find("backup"), std::string::npos) << result.status().message();
  EXPECT_EQ(StoreFiles(Store()), before);
}

TEST_F(PruneTest, DamageAnySnapshotNeedsRefusesAndChangesNothing) {
  ForgetFirst();
  // The second backup's pack holds only what it added: the new file, the trees.
  std::string newest;
  fs::file_time_type newest_time;
  for (const auto& [path, size] : StoreFiles(Store())) {
    if (path.ends_with(".pack") && (newest.empty() || fs::last_write_time(path) > newest_time)) {
      newest = path;
      newest_time = fs::last_write_time(path);
    }
  }
  ASSERT_FALSE(newest.empty());
  fs::remove(newest);
  const auto before = StoreFiles(Store());
  auto result = repo_->Prune(PruneRequest{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kFailedPrecondition) << result.status().message();
  EXPECT_NE(result.status().message().find("refusing to prune"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(StoreFiles(Store()), before);
}

TEST_F(PruneTest, ForgettingEverythingEmptiesTheStore) {
  ForgetRequest forget;
  forget.policy = RetentionPolicy{};
  forget.force = true;
  ASSERT_TRUE(repo_->Forget(forget).ok());
  auto result = repo_->Prune(PruneRequest{});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->snapshots, 0u);
  EXPECT_EQ(result->objects_used, 0u);
  EXPECT_EQ(StoreFiles(Store()).size(), 0u) << "no pack, no index file";
  EXPECT_EQ(result->bytes_after, 0u);
}

}  // namespace
}  // namespace strata::test
